// The gallery's and the library folder's commands for component tests. It keeps a small
// library in memory and answers as docs/GALLERY_IPC.md says the core does: the filter's
// fields each narrow the list (empty ones do not), search matches every typed word as a
// word prefix of the prompt (case ignored), favourites-only hides task tiles, the list is
// newest first with runs of local days. The core's SQL for this is tested in Rust
// (crates/studio/tests/gallery_query.rs); this only lets the page be driven.
import type { AppError } from "../lib/bindings/AppError";
import type { DayGroup } from "../lib/bindings/DayGroup";
import type { GalleryFacets } from "../lib/bindings/GalleryFacets";
import type { GalleryFilter } from "../lib/bindings/GalleryFilter";
import type { GalleryIndex } from "../lib/bindings/GalleryIndex";
import type { GalleryRecord } from "../lib/bindings/GalleryRecord";
import type { GalleryTile } from "../lib/bindings/GalleryTile";
import type { LibraryFolderView } from "../lib/bindings/LibraryFolderView";
import type { MoveReport } from "../lib/bindings/MoveReport";
import type { TaskRecord } from "../lib/bindings/TaskRecord";

export interface LibraryEntry {
  tile: GalleryTile;
  task: TaskRecord;
}

export interface FakeGallery {
  entries: LibraryEntry[];
  /** Keys deleted and not undone. */
  deleted: Set<string>;
  /** What save_items was asked to save, in order. */
  saved: string[][];
  /** The library folder as Settings shows it. */
  folder: LibraryFolderView;
  /** pick_library_folder's answer (null: Cancel). */
  pickAnswer: string | null;
  /** move_library refuses with this error when set. */
  refuseMove: AppError | null;
  openedFolder: number;
  /** An error gallery_index answers with when set. */
  indexError: AppError | null;
  handles(cmd: string): boolean;
  answer(cmd: string, args: Record<string, unknown> | undefined): unknown;
}

const DAY = 24 * 3600 * 1000;
let nextItem = 1000;

/** An output of `task` (ready, with a thumbnail) at `ms`. */
export function makeItem(task: TaskRecord, over: Partial<GalleryTile> = {}): LibraryEntry {
  nextItem += 1;
  const ms = over.ms ?? Date.parse(task.created_at);
  return {
    task: { ...task, state: "succeeded", status: "success" },
    tile: {
      key: String(nextItem),
      media: task.media_type,
      state: "ready",
      thumb: true,
      needs_poster: false,
      favourite: false,
      duration_ms: task.media_type === "video" ? 5000 : null,
      ms,
      revision: 1,
      ...over,
    },
  };
}

/** A running or failed task's own tile. */
export function makeTaskTile(task: TaskRecord): LibraryEntry {
  return {
    task,
    tile: {
      key: `task:${task.id}`,
      media: task.media_type,
      state: task.state === "failed" ? "failed" : task.state === "pending" ? "pending" : "processing",
      thumb: false,
      needs_poster: false,
      favourite: false,
      duration_ms: null,
      ms: Date.parse(task.created_at),
      revision: task.revision,
    },
  };
}

const words = (text: string) =>
  text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

function matches(entry: LibraryEntry, filter: GalleryFilter): boolean {
  const { tile, task } = entry;
  const isTask = tile.key.startsWith("task:");
  if (filter.media.length > 0 && !filter.media.includes(tile.media)) return false;
  if (filter.models.length > 0 && !filter.models.includes(task.model)) return false;
  if (filter.favourites && (isTask || !tile.favourite)) return false;
  if (filter.from_ms !== null && tile.ms < filter.from_ms) return false;
  if (filter.to_ms !== null && tile.ms >= filter.to_ms) return false;
  const typed = words(filter.search);
  if (typed.length > 0) {
    const prompt = words(task.prompt ?? "");
    if (!typed.every((w) => prompt.some((p) => p.startsWith(w)))) return false;
  }
  return true;
}

const localDay = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

function dayGroups(tiles: GalleryTile[]): DayGroup[] {
  const days: DayGroup[] = [];
  tiles.forEach((tile, i) => {
    const day = localDay(tile.ms);
    const last = days[days.length - 1];
    if (last && last.day === day) last.count += 1;
    else days.push({ day, start: i, count: 1 });
  });
  return days;
}

const THUMB_BASE = "http://127.0.0.1:4200/token/cache/thumbs";

export function createFakeGallery(): FakeGallery {
  const fail = (error: AppError): never => {
    throw error;
  };
  const live = () => gallery.entries.filter((e) => !gallery.deleted.has(e.tile.key));
  const find = (key: string) => live().find((e) => e.tile.key === key);
  const record = (entry: LibraryEntry): GalleryRecord => {
    const isTask = entry.tile.key.startsWith("task:");
    const ext = entry.tile.media === "video" ? "mp4" : "png";
    const path = `/library/sandbox/2026-11/${entry.task.id}-0.${ext}`;
    return {
      key: entry.tile.key,
      tile: entry.tile,
      task: entry.task,
      item: isTask
        ? null
        : {
            id: Number(entry.tile.key),
            index: 0,
            url: `http://127.0.0.1:4100/uploads/${entry.task.id}.${ext}`,
            state: "ready",
            error: null,
            path,
            content_type: entry.tile.media === "video" ? "video/mp4" : "image/png",
            size: 123456,
            width: 1024,
            height: 768,
            duration_ms: entry.tile.duration_ms,
            favourite: entry.tile.favourite,
            downloaded_ms: entry.tile.ms + 2000,
            sha256: null,
          },
      file_url: isTask ? null : `http://127.0.0.1:4200/token/library${path}`,
      thumb_url: entry.tile.thumb ? `${THUMB_BASE}/${entry.tile.key}.jpg` : null,
      references: [],
    };
  };
  const keysOf = (args: Record<string, unknown> | undefined) => (args?.keys as string[]) ?? [];

  const gallery: FakeGallery = {
    entries: [],
    deleted: new Set(),
    saved: [],
    folder: {
      path: "/home/user/.local/share/app.cyberbara.studio/library",
      is_default: true,
      files: 12,
      bytes: 3 * 1024 * 1024,
      available: 50 * 1024 * 1024 * 1024,
    },
    pickAnswer: null,
    refuseMove: null,
    openedFolder: 0,
    indexError: null,
    handles: (cmd) => cmd in COMMANDS,
    answer: (cmd, args) => COMMANDS[cmd](args),
  };

  const COMMANDS: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {
    gallery_index: (args): GalleryIndex => {
      if (gallery.indexError) fail(gallery.indexError);
      const filter = args!.filter as GalleryFilter;
      const tiles = live()
        .filter((e) => matches(e, filter))
        .map((e) => e.tile)
        .sort((a, b) => b.ms - a.ms);
      return { tiles, days: dayGroups(tiles), thumb_base: THUMB_BASE };
    },
    gallery_records: (args) =>
      keysOf(args)
        .map(find)
        .filter((e): e is LibraryEntry => e !== undefined)
        .map(record),
    gallery_facets: (): GalleryFacets => {
      const items = live().filter((e) => !e.tile.key.startsWith("task:"));
      const count = (values: string[]) =>
        [...new Set(values)].map((value) => ({ value, count: values.filter((v) => v === value).length }));
      const ms = items.map((e) => e.tile.ms);
      return {
        models: count(items.map((e) => e.task.model)),
        media: count(items.map((e) => e.tile.media)),
        favourites: items.filter((e) => e.tile.favourite).length,
        first_ms: ms.length ? Math.min(...ms) : null,
        last_ms: ms.length ? Math.max(...ms) : null,
      };
    },
    task_tiles: (args) =>
      live()
        .filter((e) => e.task.id === args!.id)
        .map((e) => e.tile),
    set_favourite: (args) =>
      keysOf(args).map((key) => {
        const entry = find(key) ?? fail({ kind: "not_found", code: null, message: `No item ${key}.`, detail: null });
        entry.tile = { ...entry.tile, favourite: args!.favourite as boolean, revision: entry.tile.revision + 1 };
        return entry.tile;
      }),
    delete_items: (args) => {
      const keys = keysOf(args).filter((k) => find(k) !== undefined);
      for (const key of keys) gallery.deleted.add(key);
      return { keys, undo_until_ms: Date.now() + 10_000 };
    },
    undo_delete: (args) =>
      keysOf(args).map((key) => {
        gallery.deleted.delete(key);
        return find(key)!.tile;
      }),
    save_items: (args) => {
      const keys = keysOf(args);
      gallery.saved.push(keys);
      return { files: keys.map((k) => `/home/user/Pictures/${k}.png`), folder: "/home/user/Pictures" };
    },
    store_poster: (args) => find(args!.key as string)!.tile,
    library_folder: () => structuredClone(gallery.folder),
    pick_library_folder: () => gallery.pickAnswer,
    move_library: (args): MoveReport => {
      if (gallery.refuseMove) fail(gallery.refuseMove);
      const path = args!.path as string;
      const report = { path, moved: gallery.folder.files, bytes: gallery.folder.bytes };
      gallery.folder = { ...gallery.folder, path, is_default: false };
      return report;
    },
    open_library_folder: () => {
      gallery.openedFolder += 1;
      return null;
    },
  };
  return gallery;
}

/** `days` days before now, at noon local time (so a day's tiles stay on one day). */
export function daysAgo(days: number): number {
  const d = new Date(Date.now() - days * DAY);
  d.setHours(12, 0, 0, 0);
  return d.getTime();
}
