import { call, toIpcError, type IpcError } from "../lib/ipc";
import { Listeners } from "../lib/listeners";
import type { Draft } from "../lib/bindings/Draft";

export const emptyDraft = (): Draft => ({
  model: "",
  scene: null,
  prompt: "",
  options: {},
  references: [],
  advanced: "",
  batch: 1,
});

/**
 * The Create page's draft for the active profile. It lives with the app, not the page, so
 * switching pages keeps it; edits are saved through `save_draft` shortly after they stop
 * (and at once with `flush`, e.g. before a profile switch), so a restart keeps it too.
 */
export class DraftStore {
  draft = $state<Draft>(emptyDraft());
  loaded = $state(false);
  loadError = $state<IpcError | null>(null);
  saveError = $state<IpcError | null>(null);
  /** Grows with every edit; checks and quotes are matched to it. */
  revision = $state(0);

  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  #load = 0;
  #changes = new Listeners();

  constructor(private readonly saveMs = 300) {}

  /** Reads the active profile's draft, replacing whatever was shown. */
  async load(): Promise<void> {
    const request = ++this.#load;
    this.#cancelSave();
    this.loaded = false;
    try {
      const draft = await call("load_draft");
      if (request !== this.#load) return;
      this.draft = { ...emptyDraft(), ...draft, batch: Math.min(8, Math.max(1, draft.batch || 1)) };
      this.loadError = null;
    } catch (error) {
      if (request !== this.#load) return;
      this.draft = emptyDraft();
      this.loadError = toIpcError(error);
    }
    this.loaded = true;
    this.#changed();
  }

  /** Changes the draft in place and schedules the save. */
  edit(change: (draft: Draft) => void): void {
    change(this.draft);
    this.revision++;
    this.#cancelSave();
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.#save();
    }, this.saveMs);
    this.#changed();
  }

  /** Puts a whole draft in place (from "Open in Create", "Extend"). */
  replace(draft: Draft): void {
    this.edit((current) => Object.assign(current, emptyDraft(), $state.snapshot(draft)));
  }

  setOption(key: string, value: unknown): void {
    this.edit((d) => {
      if (value === undefined) delete d.options[key];
      else d.options[key] = value;
    });
  }

  /** Saves now if an edit is waiting. */
  async flush(): Promise<void> {
    if (this.#saveTimer === null) return;
    this.#cancelSave();
    await this.#save();
  }

  /** Called after every change (edits and loads). */
  onChange(listener: () => void): () => void {
    return this.#changes.add(listener);
  }

  /** The draft as plain data, for a command. */
  snapshot(): Draft {
    return $state.snapshot(this.draft) as Draft;
  }

  async #save(): Promise<void> {
    try {
      await call("save_draft", { args: { draft: this.snapshot() } });
      this.saveError = null;
    } catch (error) {
      this.saveError = toIpcError(error);
    }
  }

  #cancelSave(): void {
    if (this.#saveTimer !== null) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
  }

  #changed(): void {
    this.#changes.emit();
  }
}
