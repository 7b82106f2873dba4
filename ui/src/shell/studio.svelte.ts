import { TaskStore } from "../activity/taskStore.svelte";
import { CatalogueStore } from "../create/catalogueStore.svelte";
import { ComposeStore, TIMINGS, type Timings } from "../create/composeStore.svelte";
import { DraftStore } from "../create/draftStore.svelte";
import { UploadStore } from "../create/uploadStore.svelte";
import { UsageStore } from "../usage/usageStore.svelte";
import { AppStore } from "./appStore.svelte";
import { DropStore } from "./dropStore.svelte";
import { PAGES, type PageId } from "./pages";

/**
 * The app's state that outlives any page: the shell's profiles and balance, the Create
 * draft with its check, quote and uploads, the tracker's tasks and window drops. Pages
 * get it as a prop and read what they need; a profile switch reloads what is per profile.
 */
export class Studio {
  readonly app: AppStore;
  readonly catalogue = new CatalogueStore();
  readonly drafts: DraftStore;
  readonly uploads: UploadStore;
  readonly tasks: TaskStore;
  readonly compose: ComposeStore;
  readonly drops: DropStore;
  readonly usage: UsageStore;
  page = $state<PageId>("create");
  /** A task another page asked Activity to show (the Usage table's task links). */
  focusTask = $state<string | null>(null);

  constructor(options: { app?: AppStore; timings?: Timings; page?: PageId | null } = {}) {
    const timings = options.timings ?? TIMINGS;
    this.app = options.app ?? new AppStore();
    this.drafts = new DraftStore(timings.saveMs);
    this.uploads = new UploadStore(this.drafts);
    this.tasks = new TaskStore(this.app);
    this.compose = new ComposeStore(this.drafts, this.catalogue, this.uploads, this.tasks, this.app, timings);
    this.drops = new DropStore(this.compose, this.drafts, () => this.navigate("create"));
    this.usage = new UsageStore(this.tasks);
    if (options.page && PAGES.some((p) => p.id === options.page)) this.page = options.page;

    // The draft belongs to the profile it was written for: save it before switching.
    this.app.beforeSwitch = () => this.drafts.flush();
    this.app.onActiveChange(({ switched, profileId }) => {
      if (switched) {
        this.catalogue.reset();
        this.compose.reset();
        void this.drafts.load();
      }
      void this.catalogue.load();
      void this.tasks.subscribe(profileId);
    });
  }

  /** Loads the app state (which loads the rest) and listens for drops. */
  start(): void {
    void this.app.load();
    void this.drops.watch();
  }

  navigate(page: PageId): void {
    if (this.page === "create" && page !== "create") void this.drafts.flush();
    this.page = page;
    sessionStorage.setItem("page", page);
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
