import { call, toIpcError, type IpcError } from "../lib/ipc";
import { Listeners } from "../lib/listeners";
import type { CatalogueView } from "../lib/bindings/CatalogueView";
import type { ModelForm } from "../lib/bindings/ModelForm";

/** The active profile's models as forms (Rust caches them and refreshes at most hourly). */
export class CatalogueStore {
  view = $state<CatalogueView | null>(null);
  error = $state<IpcError | null>(null);
  loading = $state(false);
  refreshing = $state(false);

  #request = 0;
  #loaded = new Listeners();

  /** Loads the list; `refresh` asks the deployment again even if the cached one is fresh. */
  async load(refresh = false): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    this.refreshing = refresh;
    try {
      const view = await call("catalogue", { args: { refresh } });
      if (request !== this.#request) return;
      this.view = view;
      this.error = null;
    } catch (error) {
      if (request !== this.#request) return;
      this.error = toIpcError(error);
    } finally {
      if (request === this.#request) {
        this.loading = false;
        this.refreshing = false;
        this.#loaded.emit();
      }
    }
  }

  /** Forgets the list of the previous profile. */
  reset(): void {
    this.#request++;
    this.view = null;
    this.error = null;
  }

  form(model: string): ModelForm | null {
    return this.view?.models.find((m) => m.model === model) ?? null;
  }

  onLoad(listener: () => void): () => void {
    return this.#loaded.add(listener);
  }
}
