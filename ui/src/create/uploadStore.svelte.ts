import { SvelteMap } from "svelte/reactivity";
import { call, stream, toIpcError, type IpcError } from "../lib/ipc";
import type { DraftReference } from "../lib/bindings/DraftReference";
import type { ReferenceMedia } from "../lib/bindings/ReferenceMedia";
import type { UploadEvent } from "../lib/bindings/UploadEvent";
import type { DraftStore } from "./draftStore.svelte";
import { moveWithinSlot, type PlannedFile } from "./slots";

export type TileState = "uploading" | "ready" | "failed";

const newId = () => crypto.randomUUID();

/**
 * Reference uploads of the draft. A tile enters the draft at once (url null), so an
 * upload cut short by a restart is still there to retry; progress and errors are kept
 * here, per upload, for the tiles to show.
 */
export class UploadStore {
  /** Bytes sent and total, per running upload. */
  progress = new SvelteMap<string, { sent: number; total: number }>();
  /** Why an upload failed this session (a tile left from an earlier run has none). */
  failures = new SvelteMap<string, IpcError>();

  constructor(private readonly drafts: DraftStore) {}

  /** Whether an upload of this draft is running (one left from another profile's draft is not). */
  get busy(): boolean {
    return this.drafts.draft.references.some((r) => this.progress.has(r.id));
  }

  state(reference: DraftReference): TileState {
    if (reference.url !== null) return "ready";
    return this.progress.has(reference.id) ? "uploading" : "failed";
  }

  /** Why a tile without a URL has none, in a sentence. */
  failure(reference: DraftReference): string {
    const error = this.failures.get(reference.id);
    if (error) return error.message;
    return reference.local_path
      ? `The upload of ${reference.file_name} did not finish.`
      : `${reference.file_name} has no file to upload any more; remove it.`;
  }

  /** Puts planned files into their slots and uploads each one. */
  add(planned: PlannedFile[]): void {
    const tiles: DraftReference[] = planned.map((p) => ({
      id: newId(),
      slot: p.slot,
      url: null,
      file_name: p.file.name,
      media: p.file.media,
      local_path: p.file.path,
      sha256: null,
      preview: null,
    }));
    if (tiles.length === 0) return;
    this.drafts.edit((d) => d.references.push(...tiles));
    for (const tile of tiles) void this.#upload(tile);
  }

  /**
   * A gallery item into `slot` ("Use as reference", or dropped on the slot): Rust uses the
   * output's URL when it still resolves, else uploads the library's copy (progress as for
   * a file). The tile is in the draft at once, like a file's.
   */
  addItem(key: string, slot: string, media: ReferenceMedia, name: string): void {
    const tile: DraftReference = {
      id: newId(),
      slot,
      url: null,
      file_name: name,
      media,
      local_path: null,
      sha256: null,
      preview: null,
    };
    this.drafts.edit((d) => d.references.push(tile));
    void this.#track(tile.id, (onevent) =>
      stream("use_item_as_reference", onevent, { args: { key, slot, upload_id: tile.id } }),
    );
  }

  retry(id: string): void {
    const tile = this.drafts.draft.references.find((r) => r.id === id);
    if (!tile || tile.url !== null || !tile.local_path || this.progress.has(id)) return;
    void this.#upload($state.snapshot(tile) as DraftReference);
  }

  async cancel(id: string): Promise<void> {
    await call("cancel_upload", { args: { upload_id: id } }).catch(() => false);
  }

  /** Removes a tile (stopping its upload first). */
  async remove(id: string): Promise<void> {
    if (this.progress.has(id)) await this.cancel(id);
    this.progress.delete(id);
    this.failures.delete(id);
    this.drafts.edit((d) => {
      d.references = d.references.filter((r) => r.id !== id);
    });
  }

  move(id: string, delta: number): void {
    this.drafts.edit((d) => {
      d.references = moveWithinSlot(d.references, id, delta);
    });
  }

  #upload(tile: DraftReference): Promise<void> {
    return this.#track(tile.id, (onevent) =>
      stream("upload_reference", onevent, {
        args: { upload_id: tile.id, path: tile.local_path ?? "", slot: tile.slot, media: tile.media },
      }),
    );
  }

  /** Follows one upload (`start` runs the command) to its reference or its failure. */
  async #track(id: string, start: (onevent: (event: UploadEvent) => void) => Promise<DraftReference>): Promise<void> {
    this.failures.delete(id);
    this.progress.set(id, { sent: 0, total: 0 });
    const onevent = (event: UploadEvent) => {
      if (event.upload_id !== id) return;
      if (event.type === "started") this.progress.set(id, { sent: 0, total: event.size });
      else if (event.type === "progress") this.progress.set(id, { sent: event.sent, total: event.total });
    };
    try {
      this.#settle(id, await start(onevent));
    } catch (error) {
      const failure = toIpcError(error);
      this.progress.delete(id);
      if (failure.kind === "canceled") {
        // The user pressed Cancel: the tile goes, as with Remove.
        this.drafts.edit((d) => {
          d.references = d.references.filter((r) => r.id !== id);
        });
      } else {
        this.failures.set(id, failure);
      }
    }
  }

  /** Puts the uploaded reference where its tile is (the tile may have moved meanwhile). */
  #settle(id: string, done: DraftReference): void {
    this.progress.delete(id);
    if (!this.drafts.draft.references.some((r) => r.id === id)) return;
    this.drafts.edit((d) => {
      d.references = d.references.map((r) => (r.id === id ? { ...done, id, slot: r.slot } : r));
    });
  }
}
