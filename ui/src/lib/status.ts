// Task and download states in the app's words, one table each, for every place that names
// one: Activity's rows, Create's session results, the viewer's request panel, the gallery's
// tiles and the viewer. Task states are ux.md's (Pending, Processing, Succeeded, Failed,
// Canceled); a gallery tile adds where its local copy stands, in as few words as a tile has
// room for ("Download failed", "File missing"), and the viewer says the same.
import type { TaskState } from "./bindings/TaskState";
import type { TileState } from "./bindings/TileState";

export const TASK_STATE_WORDS: Record<TaskState, string> = {
  pending: "Pending",
  processing: "Processing",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

export const TILE_STATE_WORDS: Record<TileState, string> = {
  pending: TASK_STATE_WORDS.pending,
  processing: TASK_STATE_WORDS.processing,
  failed: TASK_STATE_WORDS.failed,
  queued: "Waiting to download",
  downloading: "Downloading",
  ready: "Ready",
  download_failed: "Download failed",
  missing: "File missing",
};

/** The task (or its tile) is still waiting for the API to finish it. */
export const isRunning = (thing: { state: TaskState | TileState }) => thing.state === "pending" || thing.state === "processing";

/** The tile's local copy can be fetched again (the Retry button). */
export const canRetryDownload = (tile: { state: TileState }) => tile.state === "download_failed" || tile.state === "missing";
