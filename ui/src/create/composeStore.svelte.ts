import { call, toIpcError, type IpcError } from "../lib/ipc";
import { Listeners } from "../lib/listeners";
import type { Draft } from "../lib/bindings/Draft";
import type { DraftCheck } from "../lib/bindings/DraftCheck";
import type { ModelForm } from "../lib/bindings/ModelForm";
import type { PickedFile } from "../lib/bindings/PickedFile";
import type { QuoteView } from "../lib/bindings/QuoteView";
import type { RecentPrompt } from "../lib/bindings/RecentPrompt";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TaskStore } from "../activity/taskStore.svelte";
import type { AppStore } from "../shell/appStore.svelte";
import type { CatalogueStore } from "./catalogueStore.svelte";
import type { DraftStore } from "./draftStore.svelte";
import { credits, effectiveScene } from "./form";
import { planFiles, referenceSlots, type PlannedFile, type SlotView } from "./slots";
import type { UploadStore } from "./uploadStore.svelte";

export interface Timings {
  /** Quiet time before an edit is saved. */
  saveMs: number;
  /** …before the draft is checked by Rust. */
  checkMs: number;
  /** …before the price is asked from the deployment. */
  quoteMs: number;
}

export const TIMINGS: Timings = { saveMs: 300, checkMs: 150, quoteMs: 400 };

/** What the last Generate click did. */
export interface SubmitOutcome {
  requested: number;
  created: number;
  error: IpcError | null;
}

/** Errors of the quote that Generate would meet too, so it is disabled for them. */
const BLOCKING_KINDS = new Set(["missing_key", "keychain", "keychain_unavailable", "invalid_input"]);

/** The sentence beside the button after a refused or partial batch. */
export function submitSentence(outcome: SubmitOutcome): string | null {
  if (!outcome.error) return null;
  const { requested, created, error } = outcome;
  if (requested <= 1) return error.message;
  if (created === 0) return `None of the ${requested} tasks were created: ${error.message}`;
  return `${created} of ${requested} created — then: ${error.message}`;
}

/**
 * Everything the Create page computes from the draft: Rust's check (debounced, on every
 * edit), the quote (debounced, only for a draft without problems, stale replies
 * dropped), why Generate is disabled, and what Generate did. It outlives the page.
 */
export class ComposeStore {
  check = $state<DraftCheck | null>(null);
  checkError = $state<IpcError | null>(null);
  /** The draft revision `check` belongs to. */
  checkedRevision = $state(-1);
  quote = $state<QuoteView | null>(null);
  /** The model `quote` priced (the quote itself does not say), so a reader can tell a
   * quote of this form from one left from an earlier one. */
  quotedModel = $state<string | null>(null);
  quoteError = $state<IpcError | null>(null);
  quoteLoading = $state(false);
  submitting = $state(false);
  outcome = $state<SubmitOutcome | null>(null);
  recent = $state<RecentPrompt[]>([]);
  /** Files that could not be added, in sentences, until dismissed. */
  notices = $state<string[]>([]);
  /** Tasks created from this page this session, newest first. */
  session = $state<TaskRecord[]>([]);

  // `$derived.by` with closures: the stores they read are constructor parameters.
  form: ModelForm | null = $derived.by(() => this.catalogue.form(this.drafts.draft.model));
  scene: string | null = $derived.by(() => effectiveScene(this.drafts.draft.scene, this.check?.scene));
  slots: SlotView[] = $derived.by(() =>
    referenceSlots(
      this.form,
      this.drafts.draft.scene,
      this.scene,
      this.drafts.draft.options,
      this.drafts.draft.references,
    ),
  );

  /** Why Generate cannot be pressed now, or null. */
  reason: string | null = $derived.by(() => {
    if (this.submitting) return "Sending…";
    if (!this.drafts.loaded) return "Loading the draft…";
    if (this.uploads.busy) return "Uploading…";
    const problem = this.check?.problems[0];
    if (problem) return problem.message;
    const offline = this.tasks.problem?.kind === "network" ? this.tasks.problem : this.quoteError?.kind === "network" ? this.quoteError : null;
    if (offline) return `No connection: ${offline.message}`;
    if (this.quote && !this.quote.affordable) {
      return `Not enough credits: this costs ${credits(this.quote.total)} and ${credits(this.quote.remaining)} are left.`;
    }
    if (this.quoteError && (BLOCKING_KINDS.has(this.quoteError.kind) || this.quoteError.code === "invalid_api_key")) {
      return this.quoteError.message;
    }
    return null;
  });

  /** Generate would take the balance below the low-balance threshold (Settings): said
   * beside the price before the click, without blocking it. */
  lowBalanceWarning: string | null = $derived.by(() => {
    const quote = this.quote;
    const threshold = this.app.lowBalanceThreshold;
    if (!quote || !quote.affordable || threshold <= 0) return null;
    if (quote.remaining < threshold || quote.after >= threshold) return null;
    return `This leaves ${credits(quote.after)}, below your low-balance warning of ${credits(threshold)}.`;
  });

  #checkTimer: ReturnType<typeof setTimeout> | null = null;
  #quoteTimer: ReturnType<typeof setTimeout> | null = null;
  #checkRequest = 0;
  #quoteRequest = 0;
  #checking: Promise<void> | null = null;
  /** Checks and quotes under way, and who waits for none to be (`settled`). */
  #runs = 0;
  #idle = new Listeners();

  constructor(
    private readonly drafts: DraftStore,
    private readonly catalogue: CatalogueStore,
    private readonly uploads: UploadStore,
    private readonly tasks: TaskStore,
    private readonly app: AppStore,
    private readonly timings: Timings = TIMINGS,
  ) {}

  // What the other stores announce (wired in shell/studio.svelte.ts):

  /** The draft changed (an edit or a load), or the catalogue loaded: check and price it
   * again. Picking the first model is an edit of its own, which comes back here. */
  draftChanged(): void {
    if (!this.#pickFirstModel()) this.changed();
  }

  /** The balance moved (a refund, another client's charge): "left after" and the
   * low-balance warning are asked again rather than shown from the old balance. */
  balanceChanged(remaining: number): void {
    if (this.quote && this.quote.remaining !== remaining) this.#scheduleQuote();
  }

  /** The tracker's connection changed: once it is back, the price can be asked again. */
  connectionChanged(): void {
    if (!this.tasks.problem && this.quoteError?.kind === "network") this.#scheduleQuote();
  }

  /** Forgets what belonged to the previous profile. */
  reset(): void {
    this.#checkRequest++;
    this.#quoteRequest++;
    this.check = null;
    this.checkError = null;
    this.quote = null;
    this.quoteError = null;
    this.quoteLoading = false;
    this.outcome = null;
    this.notices = [];
    this.recent = [];
  }

  /** After every edit: check soon, then price. */
  changed(): void {
    if (!this.drafts.loaded) return;
    if (this.#checkTimer) clearTimeout(this.#checkTimer);
    this.#checkTimer = setTimeout(() => {
      this.#checkTimer = null;
      void this.runCheck();
    }, this.timings.checkMs);
    this.#scheduleQuote();
  }

  /** Checks the current draft now. */
  runCheck(): Promise<void> {
    const request = ++this.#checkRequest;
    const revision = this.drafts.revision;
    const run = (async () => {
      try {
        const check = await call("check_draft", { args: { draft: this.drafts.snapshot() } });
        if (request !== this.#checkRequest) return;
        this.check = check;
        this.checkError = null;
        this.checkedRevision = revision;
      } catch (error) {
        if (request !== this.#checkRequest) return;
        this.checkError = toIpcError(error);
        this.checkedRevision = revision;
      }
    })();
    this.#checking = run;
    return this.#track(run);
  }

  /** Asks the deployment for the price of the current draft, unless it has problems. */
  runQuote(): Promise<void> {
    return this.#track(this.#quote());
  }

  /** Resolves once no check or price is scheduled or under way, so a test can say that a
   * late reply changed nothing without waiting for an arbitrary pause. */
  settled(): Promise<void> {
    if (!this.#busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.#idle.add(() => {
        stop();
        resolve();
      });
    });
  }

  #busy(): boolean {
    return this.#runs > 0 || this.#checkTimer !== null || this.#quoteTimer !== null;
  }

  #track(run: Promise<void>): Promise<void> {
    this.#runs++;
    return run.finally(() => {
      this.#runs--;
      if (!this.#busy()) this.#idle.emit();
    });
  }

  async #quote(): Promise<void> {
    const request = ++this.#quoteRequest;
    if (this.checkedRevision !== this.drafts.revision || this.#checkTimer) {
      if (this.#checkTimer) {
        clearTimeout(this.#checkTimer);
        this.#checkTimer = null;
        void this.runCheck();
      }
      await this.#checking;
      if (request !== this.#quoteRequest) return;
    }
    if (!this.check || this.check.problems.length > 0 || this.checkError) {
      this.quote = null;
      this.quoteError = null;
      this.quoteLoading = false;
      return;
    }
    this.quoteLoading = true;
    try {
      const draft = this.drafts.snapshot();
      const quote = await call("quote", { args: { draft } });
      if (request !== this.#quoteRequest) return;
      this.quote = quote;
      this.quotedModel = draft.model;
      this.quoteError = null;
    } catch (error) {
      if (request !== this.#quoteRequest) return;
      this.quote = null;
      this.quoteError = toIpcError(error);
    } finally {
      if (request === this.#quoteRequest) this.quoteLoading = false;
    }
  }

  /** Creates the batch. Nothing is retried: a refusal is shown with how many were created. */
  async generate(): Promise<void> {
    if (this.submitting || !this.drafts.loaded) return;
    if (this.checkedRevision !== this.drafts.revision) {
      if (this.#checkTimer) clearTimeout(this.#checkTimer);
      this.#checkTimer = null;
      await this.runCheck();
    }
    if (this.reason !== null) return;
    const draft = this.drafts.snapshot();
    this.submitting = true;
    this.outcome = null;
    try {
      const report = await this.tasks.generate(draft);
      this.session = [...[...report.created].reverse(), ...this.session].slice(0, 24);
      this.outcome = {
        requested: report.requested,
        created: report.created.length,
        error: report.error ? toIpcError(report.error) : null,
      };
    } catch (error) {
      this.outcome = { requested: draft.batch, created: 0, error: toIpcError(error) };
    } finally {
      this.submitting = false;
    }
    void this.loadRecent();
    this.#scheduleQuote(0);
  }

  /** The price of a draft other than the page's ("Run again" says what it will cost). */
  priceOf(draft: Draft): Promise<QuoteView> {
    return call("quote", { args: { draft } });
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = await call("recent_prompts", { args: { limit: 12 } });
    } catch {
      // Recent prompts are a convenience; the prompt box works without them.
      this.recent = [];
    }
  }

  /** Switches model, keeping what still fits: options the new form has, the picked scene
   * if the model offers it, and references moved to slots that take them. */
  setModel(model: string): void {
    const form = this.catalogue.form(model);
    const keys = form?.fields.map((f) => f.key) ?? [];
    const refused: string[] = [];
    this.drafts.edit((d) => {
      d.model = model;
      if (d.scene !== null && form && form.scenes.length > 0 && !form.scenes.includes(d.scene)) d.scene = null;
      if (form?.known) {
        for (const key of Object.keys(d.options)) if (!keys.includes(key)) delete d.options[key];
      }
      const slots = referenceSlots(form, d.scene, d.scene, d.options, []);
      const kept = d.references.filter((r) => slots.some((s) => s.key === r.slot && s.media === r.media));
      const moving = d.references.filter((r) => !kept.includes(r));
      const plan = planFiles(
        moving.map((r) => ({ path: r.id, name: r.file_name, media: r.media, problem: null })),
        slots,
        kept,
      );
      const moved = plan.placed.map((p) => ({ ...moving.find((r) => r.id === p.file.path)!, slot: p.slot }));
      refused.push(...plan.refused.map((r) => `${r.file.name} was removed: ${model} has no slot for it.`));
      d.references = [...kept, ...moved];
    });
    this.notices = [...this.notices, ...refused];
  }

  /** Files picked, pasted or dropped: into their slots (or the `target` slot), uploaded. */
  addFiles(files: PickedFile[], target?: string): PlannedFile[] {
    const plan = planFiles(files, this.slots, this.drafts.draft.references, target);
    this.uploads.add(plan.placed);
    this.notices = [...this.notices, ...plan.refused.map((r) => r.reason)];
    return plan.placed;
  }

  /** A slot's "Add…": the system picker for what the slot takes, then into the slot. A
   * picker that fails says why among the notices. */
  async pickFiles(slot: SlotView): Promise<void> {
    try {
      const files = await call("pick_reference_files", {
        args: { media: slot.media, multiple: !slot.single && (slot.max === null || slot.max > 1) },
      });
      this.addFiles(files, slot.key);
    } catch (error) {
      this.notices = [...this.notices, toIpcError(error).message];
    }
  }

  /** Paste: the clipboard's files or image as references. Returns why nothing was added
   * (an empty clipboard), or null; a failure of the clipboard is thrown. */
  async pasteFiles(): Promise<string | null> {
    const files = await call("paste_reference_files");
    if (files.length === 0) return "The clipboard holds no image or file to add.";
    this.addFiles(files);
    return null;
  }

  dismissNotices(): void {
    this.notices = [];
  }

  /** Session results of the active profile, with their latest state from the tracker. */
  get results(): TaskRecord[] {
    const active = this.app.state?.active_id;
    return this.session.filter((t) => t.profile_id === active).map((t) => this.tasks.byId(t.id) ?? t);
  }

  #scheduleQuote(delay = this.timings.quoteMs): void {
    if (this.#quoteTimer) clearTimeout(this.#quoteTimer);
    this.#quoteRequest++;
    // A draft known to have problems gets no price; no "Pricing…" flashes for it.
    this.quoteLoading = !this.check || this.check.problems.length === 0;
    this.#quoteTimer = setTimeout(() => {
      this.#quoteTimer = null;
      void this.runQuote();
    }, delay);
  }

  /** A new draft with no model gets the catalogue's first one, so the form is never empty. */
  #pickFirstModel(): boolean {
    const first = this.catalogue.view?.models[0];
    if (!this.drafts.loaded || this.drafts.draft.model !== "" || !first) return false;
    this.drafts.edit((d) => {
      d.model = first.model;
    });
    return true;
  }
}
