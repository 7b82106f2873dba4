import { SvelteMap, SvelteSet } from "svelte/reactivity";
import { call, toIpcError, type IpcError } from "../lib/ipc";
import type { DayGroup } from "../lib/bindings/DayGroup";
import type { GalleryFacets } from "../lib/bindings/GalleryFacets";
import type { GalleryFilter } from "../lib/bindings/GalleryFilter";
import type { GalleryRecord } from "../lib/bindings/GalleryRecord";
import type { GalleryTile } from "../lib/bindings/GalleryTile";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TileState } from "../lib/bindings/TileState";
import type { TrackerEvent } from "../lib/bindings/TrackerEvent";
import { withoutTile } from "./layout";
import { RecordBatcher } from "./records";
import {
  emptySelection,
  keepExisting,
  liveSequence,
  positionsOf,
  selectionOf,
  type Selection,
  type Sequence,
} from "./selection";

export const emptyFilter = (): GalleryFilter => ({
  media: [],
  models: [],
  favourites: false,
  from_ms: null,
  to_ms: null,
  search: "",
});

export const isFiltered = (f: GalleryFilter) =>
  f.media.length > 0 || f.models.length > 0 || f.favourites || f.from_ms !== null || f.to_ms !== null || f.search.trim() !== "";

/** `list` with `list[at]` replaced (Array.prototype.with is newer than the webviews we support). */
function replaceAt<T>(list: readonly T[], at: number, value: T): T[] {
  const next = [...list];
  next[at] = value;
  return next;
}

export const isTaskKey = (key: string) => key.startsWith("task:");

/** How a running or failed task shows as a tile (`null`: it is not a tile). */
export function taskTileState(task: TaskRecord): TileState | null {
  switch (task.state) {
    case "pending":
      return "pending";
    case "processing":
      return "processing";
    case "failed":
      return "failed";
    default:
      return null;
  }
}

export interface GalleryTimings {
  /** Quiet time before the list is queried again after events. */
  requeryMs: number;
  /** …after typing in the search box. */
  searchMs: number;
  /** How long an information notice stays. */
  noticeMs: number;
}

export const GALLERY_TIMINGS: GalleryTimings = { requeryMs: 250, searchMs: 250, noticeMs: 5000 };

export interface GalleryNotice {
  tone: "info" | "danger";
  message: string;
  detail?: string | null;
}

/** Records kept for tiles scrolled past; beyond this the oldest go. */
const RECORD_CACHE = 1500;

/**
 * The active profile's gallery: the whole filtered list (one `gallery_index` per filter
 * change), records of what is on screen (`gallery_records`), selection, and the item
 * actions. It follows the tracker's events (which the task store hands over) so tiles
 * move without a reload: `item` and `download` patch tiles in place; new tiles, a
 * finished task and a snapshot query the list again.
 */
export class GalleryStore {
  filter = $state<GalleryFilter>(emptyFilter());
  tiles = $state.raw<GalleryTile[]>([]);
  days = $state.raw<DayGroup[]>([]);
  thumbBase = $state<string | null>(null);
  /** A list has arrived for this profile (until then the page shows a skeleton). */
  loaded = $state(false);
  /** A query is running (the list shown is the previous one). */
  loading = $state(false);
  error = $state<IpcError | null>(null);
  facets = $state<GalleryFacets | null>(null);
  records = new SvelteMap<string, GalleryRecord>();
  downloads = new SvelteMap<string, { received: number; total: number | null }>();
  selection = $state.raw<Selection>(emptySelection());
  /** The tile the keyboard is on. */
  cursor = $state<string | null>(null);
  /** The last Delete, until its Undo window closes. */
  undo = $state<{ keys: string[]; until: number } | null>(null);
  notice = $state<GalleryNotice | null>(null);
  /** Output tiles per task id, as events and records told them (for session results). */
  taskItems = new SvelteMap<string, GalleryTile[]>();
  /** Keys deleted this session (lists that are not the gallery's leave them out too). */
  deleted = new SvelteSet<string>();
  /** A tile the grid should scroll to once it is laid out ("Open in Gallery"). */
  scrollTarget = $state<string | null>(null);

  positions: Map<string, number> = $derived(positionsOf(this.tiles));

  /** The list as the selection and the viewer walk it. */
  readonly sequence: Sequence;

  #profile: string | null = null;
  #wanted = false;
  #request = 0;
  #requeryTimer: ReturnType<typeof setTimeout> | null = null;
  #undoTimer: ReturnType<typeof setTimeout> | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  #batcher = new RecordBatcher((keys) => this.#fetch(keys));
  /** Tasks whose outputs were asked for with `task_tiles` (once per task and profile).
   * Bookkeeping only: nothing is drawn from it, and `wantOutputs` runs inside effects,
   * which must not re-run for its own writes. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #askedOutputs = new Set<string>();

  constructor(private readonly timings: GalleryTimings = GALLERY_TIMINGS) {
    this.sequence = liveSequence(
      () => this.tiles,
      (key) => this.indexOf(key),
    );
  }

  indexOf(key: string): number {
    return this.positions.get(key) ?? -1;
  }

  tile(key: string): GalleryTile | undefined {
    const at = this.positions.get(key);
    return at === undefined ? undefined : this.tiles[at];
  }

  thumbUrl(tile: GalleryTile): string | null {
    return tile.thumb && this.thumbBase ? `${this.thumbBase}/${tile.key}.jpg` : null;
  }

  /** A tile's thumbnail (or poster) URL, from the list's base or the item's record. */
  thumbOf(tile: GalleryTile): string | null {
    if (!tile.thumb) return null;
    return this.thumbUrl(tile) ?? this.records.get(tile.key)?.thumb_url ?? null;
  }

  /** A task's outputs in the library (not deleted), as item events and `task_tiles` told them. */
  outputsOf(taskId: string): GalleryTile[] {
    return (this.taskItems.get(taskId) ?? []).filter((t) => !isTaskKey(t.key) && !this.deleted.has(t.key));
  }

  /**
   * The outputs of finished tasks (Activity's rows, Create's results) whose items no event
   * has told of yet: asked once per task with `task_tiles`, then kept up to date by the
   * tracker's item events like every other tile. Their records (for thumbnails made after
   * the list was read) are asked for too.
   */
  wantOutputs(taskIds: Iterable<string>): void {
    const keys: string[] = [];
    for (const id of taskIds) {
      const known = this.outputsOf(id);
      keys.push(...known.filter((t) => t.thumb && this.thumbUrl(t) === null).map((t) => t.key));
      if (this.#askedOutputs.has(id) || known.length > 0) continue;
      this.#askedOutputs.add(id);
      void this.#loadOutputs(id);
    }
    if (keys.length > 0) this.want(keys);
  }

  async #loadOutputs(taskId: string): Promise<void> {
    const profile = this.#profile;
    let tiles: GalleryTile[];
    try {
      tiles = await call("task_tiles", { args: { id: taskId } });
    } catch {
      // The row shows the task without thumbnails; a later profile load asks again.
      this.#askedOutputs.delete(taskId);
      return;
    }
    if (profile !== this.#profile) return;
    let outputs = this.taskItems.get(taskId) ?? [];
    for (const tile of tiles) {
      if (isTaskKey(tile.key) || this.deleted.has(tile.key)) continue;
      const known = outputs.findIndex((t) => t.key === tile.key);
      if (known < 0) outputs = [...outputs, tile];
      else if (outputs[known].revision < tile.revision) outputs = replaceAt(outputs, known, tile);
    }
    if (outputs.length > 0) this.taskItems.set(taskId, outputs);
  }

  /** The gallery page opened: from now on the list follows every change. */
  open(): void {
    if (this.#wanted && (this.loaded || this.loading)) return;
    this.#wanted = true;
    void this.load();
    void this.loadFacets();
  }

  /**
   * Shows `keys` (one task's tiles): the list is read again (without the filters when
   * they hide any of them), they become the selection, the cursor goes to the first and
   * the grid scrolls there. Returns the keys the list holds, in list order.
   */
  async show(keys: string[]): Promise<string[]> {
    if (!this.#wanted) {
      this.#wanted = true;
      void this.loadFacets();
    }
    await this.load();
    if (keys.some((k) => !this.positions.has(k)) && isFiltered(this.filter)) {
      this.filter = emptyFilter();
      await this.load();
    }
    const shown = keys.filter((k) => this.positions.has(k)).sort((a, b) => this.indexOf(a) - this.indexOf(b));
    this.selection = selectionOf(shown);
    this.cursor = shown[0] ?? null;
    this.scrollTarget = this.cursor;
    return shown;
  }

  /** Forgets everything of the previous profile. */
  reset(profileId: string | null): void {
    this.#profile = profileId;
    this.#request++;
    this.tiles = [];
    this.days = [];
    this.loaded = false;
    this.loading = false;
    this.error = null;
    this.facets = null;
    this.records.clear();
    this.downloads.clear();
    this.taskItems.clear();
    this.#askedOutputs.clear();
    this.deleted.clear();
    this.selection = emptySelection();
    this.cursor = null;
    this.filter = emptyFilter();
    this.#clearUndo();
  }

  /** Queries the whole filtered list. Replies to older queries are dropped. */
  async load(): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    try {
      const index = await call("gallery_index", { args: { filter: $state.snapshot(this.filter) as GalleryFilter } });
      if (request !== this.#request) return;
      this.tiles = index.tiles;
      this.days = index.days;
      if (index.thumb_base !== null) this.thumbBase = index.thumb_base;
      this.error = null;
      this.loaded = true;
      this.selection = keepExisting(this.selection, this.sequence);
      if (this.cursor !== null && !this.positions.has(this.cursor)) this.cursor = null;
    } catch (error) {
      if (request !== this.#request) return;
      this.error = toIpcError(error);
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  async loadFacets(): Promise<void> {
    try {
      this.facets = await call("gallery_facets");
    } catch {
      // The filters fall back to what the list shows; the grid does not need facets.
    }
  }

  /** Changes the filters and queries again (search words after a pause in typing). */
  setFilter(change: Partial<GalleryFilter>): void {
    const searchOnly = Object.keys(change).every((k) => k === "search");
    Object.assign(this.filter, change);
    this.selection = emptySelection();
    this.#scheduleLoad(searchOnly ? this.timings.searchMs : 0);
  }

  clearFilters(): void {
    this.filter = emptyFilter();
    this.selection = emptySelection();
    this.#scheduleLoad(0);
  }

  /** A tracker event (the task store hands over every one). */
  apply(event: TrackerEvent): void {
    switch (event.type) {
      case "snapshot":
        if (event.profile_id !== this.#profile) this.reset(event.profile_id);
        if (this.#wanted) {
          void this.load();
          void this.loadFacets();
        }
        return;
      case "item":
        if (event.profile_id !== this.#profile) return;
        this.#itemEvent(event.change, event.task_id, event.tile);
        return;
      case "download":
        if (event.profile_id !== this.#profile) return;
        this.downloads.set(event.key, { received: event.received, total: event.total });
        return;
      case "task":
        if (event.task.profile_id !== this.#profile) return;
        this.#taskEvent(event.task);
        return;
    }
  }

  #itemEvent(change: "added" | "updated" | "removed", taskId: string, tile: GalleryTile): void {
    const outputs = this.taskItems.get(taskId) ?? [];
    if (change === "removed") {
      this.deleted.add(tile.key);
      this.taskItems.set(taskId, outputs.filter((t) => t.key !== tile.key));
      this.#remove([tile.key]);
      return;
    }
    this.deleted.delete(tile.key);
    const known = outputs.findIndex((t) => t.key === tile.key);
    if (known < 0) this.taskItems.set(taskId, [...outputs, tile]);
    else if (outputs[known].revision < tile.revision) this.taskItems.set(taskId, replaceAt(outputs, known, tile));
    if (tile.state !== "downloading") this.downloads.delete(tile.key);
    const record = this.records.get(tile.key);
    if (record && record.tile.revision < tile.revision) this.records.delete(tile.key);
    if (!this.patch(tile) && this.#wanted) this.#scheduleLoad(this.timings.requeryMs);
  }

  #taskEvent(task: TaskRecord): void {
    const key = `task:${task.id}`;
    const state = taskTileState(task);
    const record = this.records.get(key);
    if (record && record.task.revision < task.revision) this.records.delete(key);
    if (state === null) {
      this.#remove([key]);
      // Its outputs arrive as `item added` events; the list is queried once they settle.
      if (task.state === "succeeded" && this.#wanted) this.#scheduleLoad(this.timings.requeryMs);
      return;
    }
    const tile = this.tile(key);
    if (tile) this.patch({ ...tile, state, revision: task.revision });
    else if (this.#wanted) this.#scheduleLoad(this.timings.requeryMs);
  }

  /** Puts a newer version of a tile in place; false when the list does not hold it. */
  patch(tile: GalleryTile): boolean {
    this.#patchOutput(tile);
    const at = this.positions.get(tile.key);
    if (at === undefined) return false;
    if (this.tiles[at].revision > tile.revision) return true;
    // A favourite that is no longer one leaves a favourites-only list.
    if (this.filter.favourites && !tile.favourite && !isTaskKey(tile.key)) {
      this.#remove([tile.key]);
      return true;
    }
    this.tiles = replaceAt(this.tiles, at, tile);
    return true;
  }

  /** Keeps a task's known outputs (Create's results, Activity's thumbnails) in step with an action's reply. */
  #patchOutput(tile: GalleryTile): void {
    for (const [taskId, outputs] of this.taskItems) {
      const at = outputs.findIndex((t) => t.key === tile.key);
      if (at >= 0 && outputs[at].revision < tile.revision) this.taskItems.set(taskId, replaceAt(outputs, at, tile));
    }
  }

  #remove(keys: string[]): void {
    let tiles = this.tiles;
    let days = this.days;
    const positions = this.positions;
    // From the end, so earlier positions stay valid.
    const at = keys
      .map((k) => positions.get(k))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => b - a);
    if (at.length === 0) return;
    tiles = [...tiles];
    for (const i of at) {
      tiles.splice(i, 1);
      days = withoutTile(days, i);
    }
    this.tiles = tiles;
    this.days = days;
    this.selection = keepExisting(this.selection, this.sequence);
    if (this.cursor !== null && keys.includes(this.cursor)) {
      const next = tiles[Math.min(at[at.length - 1], tiles.length - 1)];
      this.cursor = next?.key ?? null;
    }
  }

  #scheduleLoad(delay: number): void {
    if (this.#requeryTimer) clearTimeout(this.#requeryTimer);
    this.#requeryTimer = setTimeout(() => {
      this.#requeryTimer = null;
      void this.load();
    }, delay);
  }

  // Records -----------------------------------------------------------------------------

  /** Asks for the records of `keys` that are missing or older than their tile. */
  want(keys: Iterable<string>): void {
    for (const key of keys) {
      if (this.#batcher.busy(key)) continue;
      const record = this.records.get(key);
      const tile = this.tile(key);
      if (record && (!tile || record.tile.revision >= tile.revision)) continue;
      this.#batcher.ask(key);
    }
  }

  /** The record of `key`, fetched now when it is not there. */
  async record(key: string): Promise<GalleryRecord | null> {
    const known = this.records.get(key);
    const tile = this.tile(key);
    if (known && (!tile || known.tile.revision >= tile.revision)) return known;
    const [record] = await call("gallery_records", { args: { keys: [key] } });
    if (record) this.#keep(record);
    return record ?? null;
  }

  async #fetch(keys: string[]): Promise<void> {
    try {
      const records = await call("gallery_records", { args: { keys } });
      for (const record of records) this.#keep(record);
      // A key the core no longer knows was deleted (lists other than the gallery's drop it).
      for (const key of keys) if (!records.some((r) => r.key === key)) this.deleted.add(key);
    } catch {
      // Tiles draw from the list without their records; the next scroll asks again.
    }
  }

  #keep(record: GalleryRecord): void {
    const known = this.records.get(record.key);
    if (known && known.tile.revision > record.tile.revision) return;
    this.records.delete(record.key);
    this.records.set(record.key, record);
    if (record.item) {
      const outputs = this.taskItems.get(record.task.id) ?? [];
      if (!outputs.some((t) => t.key === record.key)) this.taskItems.set(record.task.id, [...outputs, record.tile]);
    }
    if (this.records.size > RECORD_CACHE) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  // Selection ---------------------------------------------------------------------------

  select(selection: Selection): void {
    this.selection = selection;
  }

  /** Puts the keyboard's cursor on a tile (a click, or the arrow keys). */
  moveCursor(key: string): void {
    this.cursor = key;
  }

  /** The tile the grid should scroll to, handed over once: it is forgotten as it is taken. */
  takeScrollTarget(): string | null {
    const target = this.scrollTarget;
    this.scrollTarget = null;
    return target;
  }

  clearSelection(): void {
    this.selection = emptySelection();
  }

  // Actions -----------------------------------------------------------------------------

  say(message: string, tone: GalleryNotice["tone"] = "info", detail: string | null = null): void {
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.notice = { tone, message, detail };
    // Information fades; a problem stays until dismissed or replaced.
    if (tone === "info") this.#noticeTimer = setTimeout(() => (this.notice = null), this.timings.noticeMs);
  }

  dismissNotice(): void {
    this.notice = null;
  }

  /** Runs an action; a refusal becomes the one notice (Rust's sentence as it is). */
  async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      const failure = toIpcError(error);
      this.say(failure.message, "danger", failure.detail);
      return undefined;
    }
  }

  /** F: favourites every target, or un-favourites them when all already are. */
  async toggleFavourite(keys: string[]): Promise<void> {
    const items = keys.filter((k) => !isTaskKey(k));
    if (items.length === 0) return;
    const all = items.every((k) => (this.tile(k) ?? this.records.get(k)?.tile)?.favourite);
    const tiles = await this.run(() => call("set_favourite", { args: { keys: items, favourite: !all } }));
    for (const tile of tiles ?? []) {
      this.patch(tile);
      const record = this.records.get(tile.key);
      if (record?.item) this.records.set(tile.key, { ...record, tile, item: { ...record.item, favourite: tile.favourite } });
    }
    void this.loadFacets();
  }

  /** Delete: the tiles leave at once; Undo is offered until the core's window closes. */
  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const report = await this.run(() => call("delete_items", { args: { keys } }));
    if (!report) return;
    for (const key of report.keys) this.deleted.add(key);
    this.#remove(report.keys);
    this.#clearUndo();
    this.undo = { keys: report.keys, until: report.undo_until_ms };
    this.#undoTimer = setTimeout(() => this.#clearUndo(), Math.max(0, report.undo_until_ms - Date.now()));
  }

  async undoDelete(): Promise<void> {
    const undo = this.undo;
    if (!undo) return;
    this.#clearUndo();
    const tiles = await this.run(() => call("undo_delete", { args: { keys: undo.keys } }));
    if (!tiles) return;
    for (const key of undo.keys) this.deleted.delete(key);
    if (this.#wanted) await this.load();
    this.selection = selectionOf(tiles.map((t) => t.key));
  }

  #clearUndo(): void {
    if (this.#undoTimer) clearTimeout(this.#undoTimer);
    this.#undoTimer = null;
    this.undo = null;
  }

  async retry(key: string): Promise<void> {
    const tile = await this.run(() => call("retry_download", { args: { key } }));
    if (tile) this.patch(tile);
  }

  /** Save as…: one item through the save dialog, several into a folder. */
  async save(keys: string[]): Promise<void> {
    const items = keys.filter((k) => !isTaskKey(k));
    if (items.length === 0) return;
    const report = await this.run(() => call("save_items", { args: { keys: items } }));
    if (!report) return;
    const what = report.files.length === 1 ? report.files[0] : `${report.files.length} files in ${report.folder}`;
    this.say(`Saved ${what}.`);
  }

  async copyImage(key: string): Promise<void> {
    if ((await this.run(() => call("copy_item_image", { args: { key } }))) === null) {
      this.say("The image is on the clipboard.");
    }
  }

  async reveal(key: string): Promise<void> {
    await this.run(() => call("reveal_item", { args: { key } }));
  }

  async openWithDefault(key: string): Promise<void> {
    await this.run(() => call("open_item", { args: { key } }));
  }
}
