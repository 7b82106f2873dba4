import { stream, toIpcError, type IpcError } from "../lib/ipc";
import type { DropEvent } from "../lib/bindings/DropEvent";
import type { PickedFile } from "../lib/bindings/PickedFile";
import type { ComposeStore } from "../create/composeStore.svelte";
import type { DraftStore } from "../create/draftStore.svelte";
import { planFiles } from "../create/slots";

/**
 * Files dragged over the window from the OS (Tauri's drag-drop event, forwarded by Rust
 * with each file's sniffed kind). While they hover, `plan` says where each would land;
 * a drop opens Create and adds them there.
 */
export class DropStore {
  hovering = $state<PickedFile[] | null>(null);
  error = $state<IpcError | null>(null);

  plan = $derived.by(() =>
    this.hovering ? planFiles(this.hovering, this.compose.slots, this.drafts.draft.references) : null,
  );

  constructor(
    private readonly compose: ComposeStore,
    private readonly drafts: DraftStore,
    private readonly openCreate: () => void,
  ) {}

  /** Listens for drops (Rust keeps the latest listener only, so once per window). */
  async watch(): Promise<void> {
    try {
      await stream("watch_drops", (event) => this.apply(event));
    } catch (error) {
      this.error = toIpcError(error);
    }
  }

  apply(event: DropEvent): void {
    if (event.type === "hover") {
      this.hovering = event.files;
    } else if (event.type === "leave") {
      this.hovering = null;
    } else {
      this.hovering = null;
      this.openCreate();
      this.compose.addFiles(event.files);
    }
  }
}
