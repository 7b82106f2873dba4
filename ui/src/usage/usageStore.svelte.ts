import { call, stream, toIpcError, type IpcError } from "../lib/ipc";
import type { CsvExport } from "../lib/bindings/CsvExport";
import type { ImportReport } from "../lib/bindings/ImportReport";
import type { UsageLedger } from "../lib/bindings/UsageLedger";
import type { UsageProgress } from "../lib/bindings/UsageProgress";
import type { UsageRange } from "../lib/bindings/UsageRange";
import type { TaskStore } from "../activity/taskStore.svelte";
import type { ChartMode } from "./aggregate";
import { utcPresetRange, type UtcPreset } from "../lib/dates";

export const PAGE_SIZES = [20, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/** Error codes the API gives for the bounds themselves: shown beside the picker. */
const RANGE_CODES = new Set(["invalid_date", "invalid_date_range"]);

const sameRange = (a: UsageRange | null, b: UsageRange | null) => a?.from === b?.from && a?.to === b?.to;

/**
 * The Usage page's state for the active profile: the range asked for, its ledger (from
 * the library at once, then brought up to date from the deployment), paging, the chart's
 * mode, and the page's long actions (Export CSV, Import missing tasks) with their progress.
 * It outlives the page, so coming back shows the last ledger while it refreshes.
 */
export class UsageStore {
  preset = $state<UtcPreset>("last7");
  /** The Custom preset's bounds as typed (`YYYY-MM-DD`). */
  customFrom = $state("");
  customTo = $state("");
  /** The range the ledger below belongs to (or is being read for). */
  range = $state<UsageRange | null>(null);
  ledger = $state<UsageLedger | null>(null);
  /** A read from the deployment is under way. */
  syncing = $state(false);
  /** Pages read so far, while `syncing`. */
  progress = $state<UsageProgress | null>(null);
  /** Why the range could not be read (not a problem of the bounds). */
  error = $state<IpcError | null>(null);
  /** The deployment refused the bounds (`invalid_date`, `invalid_date_range`). */
  rangeError = $state<IpcError | null>(null);

  pageSize = $state<PageSize>(20);
  page = $state(1);
  chartMode = $state<ChartMode>("media");

  exporting = $state(false);
  exportProgress = $state<UsageProgress | null>(null);
  exported = $state<CsvExport | null>(null);
  exportError = $state<IpcError | null>(null);

  importing = $state(false);
  importProgress = $state<UsageProgress | null>(null);
  imported = $state<ImportReport | null>(null);
  importError = $state<IpcError | null>(null);

  pageCount = $derived(Math.max(1, Math.ceil((this.ledger?.rows.length ?? 0) / this.pageSize)));
  pageRows = $derived(this.ledger?.rows.slice((this.page - 1) * this.pageSize, this.page * this.pageSize) ?? []);

  #profile: string | null = null;
  #request = 0;

  constructor(
    private readonly tasks: TaskStore,
    /** The clock the presets read (ms since the epoch); tests pass their own. */
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens the page for `profileId`: what the library has at once, then a refresh. */
  async open(profileId: string): Promise<void> {
    if (profileId !== this.#profile) {
      this.#profile = profileId;
      this.ledger = null;
      this.range = null;
      this.exported = null;
      this.imported = null;
    }
    await this.load();
  }

  /** Reads the selected range again: the cached ledger first, then only what is new. */
  async load(): Promise<void> {
    const range = utcPresetRange(this.preset, this.now(), { from: this.customFrom, to: this.customTo });
    const request = ++this.#request;
    const changed = !sameRange(range, this.range);
    if (changed) {
      this.range = range;
      this.page = 1;
      this.ledger = null;
      this.exported = null;
      this.imported = null;
    }
    this.error = null;
    this.rangeError = null;
    this.syncing = true;
    this.progress = null;
    try {
      if (changed) {
        const cached = await call("cached_usage", { args: range });
        if (request !== this.#request) return;
        if (cached) this.#show(cached);
      }
      const ledger = await stream(
        "sync_usage",
        (event) => {
          if (request === this.#request) this.progress = event;
        },
        { args: range },
      );
      if (request !== this.#request) return;
      this.#show(ledger);
    } catch (error) {
      if (request !== this.#request) return;
      const failure = toIpcError(error);
      if (failure.code && RANGE_CODES.has(failure.code)) {
        this.rangeError = failure;
        this.ledger = null;
      } else {
        this.error = failure;
      }
    } finally {
      if (request === this.#request) {
        this.syncing = false;
        this.progress = null;
      }
    }
  }

  choosePreset(preset: UtcPreset): void {
    this.preset = preset;
    if (preset === "custom") {
      // Start from the range shown, so Custom begins as a small edit of it.
      if (!this.customFrom && this.range?.from) this.customFrom = this.range.from.slice(0, 10);
      if (!this.customTo && this.range?.to) this.customTo = this.range.to.slice(0, 10);
    }
    void this.load();
  }

  setChartMode(mode: ChartMode): void {
    this.chartMode = mode;
  }

  setPageSize(size: PageSize): void {
    const first = (this.page - 1) * this.pageSize;
    this.pageSize = size;
    this.page = Math.floor(first / size) + 1;
  }

  goToPage(page: number): void {
    this.page = Math.min(this.pageCount, Math.max(1, page));
  }

  /** "Export CSV": Rust asks where (native dialog), reads every page and writes the file. */
  async exportCsv(): Promise<void> {
    const range = this.range;
    if (!range || this.exporting) return;
    this.exporting = true;
    this.exportError = null;
    this.exported = null;
    this.exportProgress = null;
    try {
      const done = await stream("export_usage_csv", (event) => (this.exportProgress = event), { args: range });
      if (sameRange(range, this.range)) this.exported = done;
    } catch (error) {
      this.exportError = toIpcError(error);
    } finally {
      this.exporting = false;
      this.exportProgress = null;
    }
  }

  /** "Import missing tasks": each task of the range the app does not know, into Activity. */
  async importMissing(): Promise<void> {
    const range = this.range;
    if (!range || this.importing) return;
    this.importing = true;
    this.importError = null;
    this.imported = null;
    this.importProgress = null;
    try {
      const report = await stream("import_missing_tasks", (event) => (this.importProgress = event), { args: range });
      for (const task of report.imported) this.tasks.upsert(task);
      if (sameRange(range, this.range)) {
        this.imported = report;
        this.#show(report.ledger);
      }
    } catch (error) {
      this.importError = toIpcError(error);
    } finally {
      this.importing = false;
      this.importProgress = null;
    }
  }

  #show(ledger: UsageLedger): void {
    this.ledger = ledger;
    if (this.page > this.pageCount) this.page = this.pageCount;
  }
}
