import { call, toIpcError, type IpcError } from "../lib/ipc";
import type { LibraryFolderView } from "../lib/bindings/LibraryFolderView";
import type { MoveReport } from "../lib/bindings/MoveReport";

/** Settings → Library: the folder every output is downloaded into, how much it holds, and
 * moving it elsewhere (the core refuses before anything moves). */
export class LibraryStore {
  folder = $state<LibraryFolderView | null>(null);
  loadError = $state<IpcError | null>(null);
  moving = $state(false);
  /** What the last move did. */
  moved = $state<MoveReport | null>(null);
  /** Why the last Change… or Open failed. */
  error = $state<IpcError | null>(null);

  async load(): Promise<void> {
    try {
      this.folder = await call("library_folder");
      this.loadError = null;
    } catch (failure) {
      this.loadError = toIpcError(failure);
    }
  }

  /** "Change…": the folder picker, then the move; the folder is read again after it. */
  async change(): Promise<void> {
    this.error = null;
    this.moved = null;
    let path: string | null;
    try {
      path = await call("pick_library_folder");
    } catch (failure) {
      this.error = toIpcError(failure);
      return;
    }
    if (path === null) return;
    this.moving = true;
    try {
      this.moved = await call("move_library", { args: { path } });
    } catch (failure) {
      this.error = toIpcError(failure);
    } finally {
      this.moving = false;
      await this.load();
    }
  }

  /** Opens the folder in the system's file manager. */
  async openFolder(): Promise<void> {
    this.error = null;
    try {
      await call("open_library_folder");
    } catch (failure) {
      this.error = toIpcError(failure);
    }
  }
}
