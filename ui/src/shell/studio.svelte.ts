import { TaskStore } from "../activity/taskStore.svelte";
import { CatalogueStore } from "../create/catalogueStore.svelte";
import { ComposeStore, TIMINGS, type Timings } from "../create/composeStore.svelte";
import { DraftStore } from "../create/draftStore.svelte";
import { PresetStore } from "../create/presetStore.svelte";
import { UploadStore } from "../create/uploadStore.svelte";
import { GalleryStore } from "../gallery/galleryStore.svelte";
import { captureFrame, PosterQueue } from "../gallery/posters";
import { ViewerStore } from "../gallery/viewerStore.svelte";
import { call, keychainFailures } from "../lib/ipc";
import { planFiles } from "../create/slots";
import { LibraryStore } from "../settings/libraryStore.svelte";
import { UsageStore } from "../usage/usageStore.svelte";
import { AppStore } from "./appStore.svelte";
import { DropStore } from "./dropStore.svelte";
import { ItemDragStore, referenceMedia, type DraggedItem } from "./itemDrag.svelte";
import { PAGES, type PageId } from "./pages";

/**
 * The app's state that outlives any page: the shell's profiles and balance, the Create
 * draft with its check, quote and uploads, the tracker's tasks and window drops. Pages
 * get it as a prop and read what they need; a profile switch reloads what is per profile.
 *
 * This is the one place that says which store listens to which: stores announce what
 * happened (`onActiveChange`, `onBalance`, `onChange`…) and never call back the store that
 * told them. Every listener wired here is removed by `dispose()`.
 */
export class Studio {
  readonly app: AppStore;
  readonly catalogue = new CatalogueStore();
  readonly drafts: DraftStore;
  readonly presets: PresetStore;
  readonly uploads: UploadStore;
  readonly tasks: TaskStore;
  readonly compose: ComposeStore;
  readonly drops: DropStore;
  readonly gallery: GalleryStore;
  readonly viewer = new ViewerStore();
  readonly posters: PosterQueue;
  readonly itemDrag: ItemDragStore;
  readonly usage: UsageStore;
  readonly library = new LibraryStore();
  page = $state<PageId>("create");
  /** A task another page asked Activity to show (the Usage table's task links). */
  focusTask = $state<string | null>(null);
  /** The unsubscribe functions of the wiring below, for `dispose()`. */
  #wiring: (() => void)[] = [];

  constructor(
    options: {
      app?: AppStore;
      timings?: Timings;
      page?: PageId | null;
      gallery?: GalleryStore;
      capture?: (url: string) => Promise<string>;
    } = {},
  ) {
    const timings = options.timings ?? TIMINGS;
    this.app = options.app ?? new AppStore();
    this.drafts = new DraftStore(timings.saveMs);
    this.uploads = new UploadStore(this.drafts);
    this.presets = new PresetStore(this.drafts);
    this.tasks = new TaskStore();
    this.compose = new ComposeStore(this.drafts, this.catalogue, this.uploads, this.tasks, this.app, timings);
    this.drops = new DropStore(this.compose, this.drafts, () => this.navigate("create"));
    this.gallery = options.gallery ?? new GalleryStore();
    this.posters = new PosterQueue({
      fileUrl: async (key) => (await this.gallery.record(key))?.file_url ?? null,
      store: async (key, data_url) => {
        this.gallery.patch(await call("store_poster", { args: { key, data_url } }));
      },
      capture: options.capture ?? ((url) => captureFrame(url)),
    });
    this.itemDrag = new ItemDragStore({
      drop: (items, slot) => this.useAsReference(items, slot),
      openPage: (page) => {
        if (PAGES.some((p) => p.id === page)) this.navigate(page as PageId);
      },
      outFailed: (message) => this.gallery.say(message, "danger"),
    });
    this.usage = new UsageStore(this.tasks);
    if (options.page && PAGES.some((p) => p.id === options.page)) this.page = options.page;

    this.#wire();
  }

  /** Who listens to whom. */
  #wire(): void {
    const { app, tasks, drafts, catalogue, compose, gallery, presets } = this;
    this.#wiring.push(
      // A command that met a locked or missing keychain: the app state now says so.
      keychainFailures.add(() => void app.load()),
      // The draft belongs to the profile it was written for: save it before switching.
      app.onBeforeSwitch(() => drafts.flush()),
      app.onActiveChange(({ switched, profileId }) => {
        if (switched) {
          this.viewer.close();
          this.posters.clear();
          catalogue.reset();
          compose.reset();
          presets.reset();
          void drafts.load();
        }
        void catalogue.load();
        // Presets are per profile (their references' URLs belong to one deployment).
        void presets.load();
        void tasks.subscribe(profileId);
      }),
      // Balances from creation replies and the tracker; a failure or refund reads it again.
      tasks.onBalance(({ profileId, remaining }) => app.setBalance(profileId, remaining)),
      tasks.onChargeChange(() => void app.refreshBalance()),
      // The gallery follows the tracker's channel: `item` and `download` events are its alone.
      tasks.onEvent((event) => gallery.apply(event)),
      // The Create page's check and price follow the draft, the catalogue, the balance and the connection.
      drafts.onChange(() => compose.draftChanged()),
      catalogue.onLoad(() => compose.draftChanged()),
      app.onBalanceChange((remaining) => compose.balanceChanged(remaining)),
      tasks.onConnection(() => compose.connectionChanged()),
    );
  }

  /** Removes every listener wired by this studio (the window, or a test, is done with it). */
  dispose(): void {
    for (const unsubscribe of this.#wiring.splice(0)) unsubscribe();
  }

  /** Loads the app state (which loads the rest) and listens for drops. */
  start(): void {
    void this.app.load();
    void this.drops.watch();
  }

  navigate(page: PageId): void {
    if (this.viewer.isOpen) this.viewer.close();
    if (this.page === "create" && page !== "create") void this.drafts.flush();
    this.page = page;
    sessionStorage.setItem("page", page);
  }

  /**
   * Gallery items into the Create draft ("Use as reference", or dropped on a slot): each
   * into the first slot that takes it (or `slot`). Returns the sentence of what could not
   * go in, or null.
   */
  useAsReference(items: DraggedItem[], slot?: string): string | null {
    const files = items.map((item) => ({ path: item.key, name: item.name, media: referenceMedia(item.media), problem: null }));
    const plan = planFiles(files, this.compose.slots, this.drafts.draft.references, slot);
    for (const placed of plan.placed) this.uploads.addItem(placed.file.path, placed.slot, placed.file.media, placed.file.name);
    return plan.refused.length > 0 ? plan.refused.map((r) => r.reason).join(" ") : null;
  }

  /** "Open in Create": the form filled with the request of the task that made it. */
  async openTaskInCreate(taskId: string, options: { extend?: boolean } = {}): Promise<void> {
    const draft = await this.tasks.draftOf(taskId);
    // "Extend": the new task continues this one.
    if (options.extend) draft.options = { ...draft.options, parent_task_id: taskId };
    this.openDraft(draft);
  }

  /**
   * "Open in Gallery" (the Usage table's rows): the Gallery with the task's outputs
   * selected and the first one in the viewer. A task the gallery has nothing of (its
   * outputs deleted, or it was canceled) opens in Activity instead.
   */
  async openInGallery(taskId: string): Promise<void> {
    let keys: string[] = [];
    try {
      keys = (await call("task_tiles", { args: { id: taskId } })).map((tile) => tile.key);
    } catch {
      // Activity shows the task whatever the gallery's problem is.
    }
    if (keys.length === 0) return this.openTask(taskId);
    this.navigate("gallery");
    const shown = await this.gallery.show(keys);
    if (shown.length > 0 && this.page === "gallery") this.viewer.open(this.gallery.sequence, shown[0]);
  }

  /** "Show all in Gallery" (Create's results): the Gallery with these outputs selected. */
  async showInGallery(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    this.navigate("gallery");
    await this.gallery.show(keys);
  }

  /** Activity has shown the task it was asked to: the request is done. */
  focusTaskShown(): void {
    this.focusTask = null;
  }

  /** Shows a task in Activity, scrolled to and highlighted. */
  openTask(id: string): void {
    this.focusTask = id;
    this.navigate("activity");
  }

  /** Opens a draft in Create (from Activity's "Open in Create" and "Extend"). */
  openDraft(draft: Parameters<DraftStore["replace"]>[0]): void {
    this.drafts.replace(draft);
    this.navigate("create");
  }
}
