import { call, toIpcError } from "../lib/ipc";
import type { PresetView } from "../lib/bindings/PresetView";
import type { DraftStore } from "./draftStore.svelte";

/**
 * The active profile's presets (a saved Create form under a name): the list, and what the
 * picker does with them. Saving, applying (the preset fitted onto the form by Rust's
 * `apply_preset`, which says what did not fit), rename, duplicate, delete, export and import.
 * The one sentence of the last action (or its refusal) is `message`.
 */
export class PresetStore {
  presets = $state<PresetView[]>([]);
  loaded = $state(false);
  message = $state<{ tone: "info" | "danger"; text: string } | null>(null);

  constructor(private readonly drafts: DraftStore) {}

  /** Forgets the previous profile's list. */
  reset(): void {
    this.presets = [];
    this.loaded = false;
    this.message = null;
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      this.presets = await call("presets");
      this.loaded = true;
    });
  }

  /** "Save as preset…": the whole form as it is now. */
  async save(name: string): Promise<boolean> {
    return this.#run(async () => {
      const saved = await call("save_preset", { args: { name, draft: $state.snapshot(this.drafts.draft) } });
      await this.load();
      this.#say(`Saved the preset ${saved.name}.`);
    });
  }

  /** Fills the form from a preset, keeping the prompt written now or taking the preset's. */
  async apply(id: number, keepPrompt: boolean): Promise<boolean> {
    return this.#run(async () => {
      const preset = this.presets.find((p) => p.id === id);
      const applied = await call("apply_preset", { args: { id, draft: $state.snapshot(this.drafts.draft), keep_prompt: keepPrompt } });
      this.drafts.replace(applied.draft);
      const name = preset?.name ?? "the preset";
      this.#say(
        applied.dropped.length > 0
          ? `Applied ${name} without ${applied.dropped.join(", ")}.`
          : `Applied ${name}.`,
      );
    });
  }

  async rename(id: number, name: string): Promise<boolean> {
    return this.#run(async () => {
      await call("rename_preset", { args: { id, name } });
      await this.load();
    });
  }

  async duplicate(id: number): Promise<boolean> {
    return this.#run(async () => {
      const copy = await call("duplicate_preset", { args: { id } });
      await this.load();
      this.#say(`Made ${copy.name}.`);
    });
  }

  async remove(id: number): Promise<boolean> {
    return this.#run(async () => {
      const name = this.presets.find((p) => p.id === id)?.name ?? "The preset";
      await call("delete_preset", { args: { id } });
      await this.load();
      this.#say(`Deleted ${name}.`);
    });
  }

  /** Every preset of the profile into a JSON file chosen in the save dialog. */
  async exportAll(): Promise<boolean> {
    return this.#run(async () => {
      const count = await call("export_presets");
      if (count !== null) this.#say(count === 1 ? "Exported 1 preset." : `Exported ${count} presets.`);
    });
  }

  /** The presets of a chosen JSON file added to the profile's. */
  async importFile(): Promise<boolean> {
    return this.#run(async () => {
      const report = await call("import_presets");
      if (report === null) return;
      await this.load();
      const renamed = report.renamed.map(([from, to]) => `${from} as ${to}`);
      this.#say(
        `Imported ${report.added === 1 ? "1 preset" : `${report.added} presets`}` +
          (renamed.length > 0 ? ` (${renamed.join(", ")}, as the names were taken).` : "."),
      );
    });
  }

  dismiss(): void {
    this.message = null;
  }

  #say(text: string): void {
    this.message = { tone: "info", text };
  }

  async #run(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      this.message = { tone: "danger", text: toIpcError(error).message };
      return false;
    }
  }
}
