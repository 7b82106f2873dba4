// An in-memory stand-in for the Rust commands, for component tests only. Wherever Rust
// has a rule (key hints, base URL normalisation, form checks), the answer comes from the
// fixtures Rust itself produced (src/testing/fixtures, written by the bindings test), so
// the fake cannot drift from the real rules; it only keeps state (profiles, drafts,
// tasks, balances) and plays the server's part (prices, task creation).
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppError } from "../lib/bindings/AppError";
import type { AppStateView } from "../lib/bindings/AppStateView";
import type { CatalogueView } from "../lib/bindings/CatalogueView";
import type { Draft } from "../lib/bindings/Draft";
import type { DraftCheck } from "../lib/bindings/DraftCheck";
import type { DraftReference } from "../lib/bindings/DraftReference";
import type { DropEvent } from "../lib/bindings/DropEvent";
import type { PickedFile } from "../lib/bindings/PickedFile";
import type { ProfileView } from "../lib/bindings/ProfileView";
import type { QuoteView } from "../lib/bindings/QuoteView";
import type { PresetView } from "../lib/bindings/PresetView";
import type { RecentPrompt } from "../lib/bindings/RecentPrompt";
import type { SandboxStatus } from "../lib/bindings/SandboxStatus";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TrackerEvent } from "../lib/bindings/TrackerEvent";
import type { UploadArgs } from "../lib/bindings/UploadArgs";
import type { UploadEvent } from "../lib/bindings/UploadEvent";
import type { UsageLedger } from "../lib/bindings/UsageLedger";
import type { UsageProgress } from "../lib/bindings/UsageProgress";
import type { UsageRange } from "../lib/bindings/UsageRange";
import type { UsageRow } from "../lib/bindings/UsageRow";
import { emptyDraft } from "../create/draftStore.svelte";
import { isChannel, send, type AnyChannel } from "./channels";
import { createFakeGallery, type FakeGallery } from "./fakeGallery";
import catalogueFixture from "./fixtures/catalogue.json";
import checksFixture from "./fixtures/checks.json";
import keyHintsFixture from "./fixtures/key_hints.json";
import baseUrlsFixture from "./fixtures/base_urls.json";

export interface CheckFixture {
  draft: Draft;
  check: DraftCheck;
  ready: boolean;
}

export const CATALOGUE = catalogueFixture as unknown as CatalogueView;
export const CHECKS = checksFixture as unknown as CheckFixture[];
const KEY_HINTS = keyHintsFixture as { key: string; hint: string }[];
const BASE_URLS = baseUrlsFixture as { input: string; ok?: string; error?: string }[];

/** The key hint Rust gives `key` (only keys in key_hints.json are known). */
export function keyHint(key: string): string {
  const entry = KEY_HINTS.find((k) => k.key === key);
  if (!entry) throw new Error(`key_hints.json has no hint for ${JSON.stringify(key)}; use a key from it`);
  return entry.hint;
}

/** Rust's answer for a base URL: the normalised URL, or its refusal sentence. */
export function normaliseBaseUrl(input: string): { ok: string } | { error: string } {
  const entry = BASE_URLS.find((b) => b.input === input);
  if (!entry) throw new Error(`base_urls.json has no entry for ${JSON.stringify(input)}; use an input from it`);
  return entry.ok !== undefined ? { ok: entry.ok } : { error: entry.error! };
}

export { emptyDraft };

let taskCounter = 0;
/** A task record with sensible values; `over` sets what a test cares about. */
export function makeTask(over: Partial<TaskRecord> = {}): TaskRecord {
  taskCounter += 1;
  const model = over.model ?? "nano-banana-pro";
  const prompt = over.prompt === undefined ? "A lighthouse at dusk" : over.prompt;
  return {
    profile_id: "sandbox",
    id: `task-${taskCounter}`,
    model,
    media_type: "image",
    scene: "text-to-image",
    prompt,
    request: { model, ...(prompt ? { prompt } : {}) },
    status: "pending",
    state: "pending",
    cost: 4,
    outputs: [],
    reason: null,
    extra: {},
    refunded: false,
    tracking: true,
    note: null,
    origin: "created",
    batch_id: null,
    batch_index: null,
    created_at: new Date(Date.now() - 1000).toISOString(),
    updated_at: null,
    recorded_ms: Date.now(),
    finished_ms: null,
    revision: 1,
    ...over,
  };
}

let usageCounter = 0;
/** A usage row: a charge of 8 credits for an image task the app knows, unless `over` says otherwise. */
export function makeUsageRow(over: Partial<UsageRow> = {}): UsageRow {
  usageCounter += 1;
  return {
    id: `usage-${usageCounter}`,
    transaction_no: `7973909230492${String(usageCounter).padStart(4, "0")}`,
    credits: 8,
    scene: "text-to-image",
    description: "generate image",
    media_type: "image",
    task_id: `task-u${usageCounter}`,
    created_at: new Date(Date.now() - usageCounter * 1000).toISOString(),
    model: "nano-banana-pro",
    ...over,
  };
}

/** A ledger as Rust returns it: totals and unknown tasks counted from `rows`. */
export function makeLedger(rows: UsageRow[], range: UsageRange = { from: null, to: null }, over: Partial<UsageLedger> = {}): UsageLedger {
  const unknown = new Set(rows.filter((r) => r.model === null && r.task_id).map((r) => r.task_id));
  return {
    profile_id: "sandbox",
    range,
    total: rows.length,
    total_credits_consumed: rows.reduce((sum, r) => sum + r.credits, 0),
    from: range.from ? `${range.from}T00:00:00.000Z` : null,
    to: range.to ? `${range.to}T23:59:59.999Z` : null,
    rows,
    fetched_ms: Date.now(),
    complete: true,
    unknown_tasks: unknown.size,
    ...over,
  };
}

const rangeKey = (range: UsageRange) => `${range.from ?? ""}|${range.to ?? ""}`;

export const appError = (message: string, over: Partial<AppError> = {}): AppError => ({
  kind: "api",
  code: null,
  message,
  detail: null,
  ...over,
});

/** An upload the test drives by hand (`uploadMode = "hold"`). */
export interface HeldUpload {
  args: UploadArgs;
  progress(sent: number, total: number): void;
  finish(over?: Partial<DraftReference>): void;
  fail(error: AppError): void;
}

export interface FakeBackend {
  calls: { cmd: string; args: unknown }[];
  keys: Map<string, string>;
  /** The fake server's accounts: credits per API key. */
  accounts: Map<string, number>;
  /** The CSP media origin per profile id (remote https profiles). */
  mediaOrigins: Map<string, string>;
  keychain: AppError | null;
  /** What the keychain problem becomes after "Try again". */
  keychainAfterRetry: AppError | null;
  /** When set, saving a key fails with this error, which Rust then keeps as the app
   * state's keychain problem (as `Studio` does). */
  refuseKeys: AppError | null;
  sandbox: SandboxStatus;
  catalogue: CatalogueView;
  drafts: Map<string, Draft>;
  /** check_draft's answer; by default the checks.json entry for the draft. */
  check: (draft: Draft) => DraftCheck;
  /** The server's price of one task of a draft. */
  price: (draft: Draft) => number;
  /** quote's answer; by default from `price` and the account. Throw an AppError to refuse. */
  quote: (draft: Draft) => QuoteView | Promise<QuoteView>;
  /** Refuse the n-th (0-based) creation of a batch with this error. */
  refuseCreation: { at: number; error: AppError } | null;
  recentPrompts: RecentPrompt[];
  /** The active profile's presets. */
  presets: PresetView[];
  tasks: Map<string, TaskRecord>;
  taskDrafts: Map<string, Draft>;
  /** import_task's answers by id (others are not found). */
  importable: Map<string, TaskRecord>;
  picked: PickedFile[];
  pasted: PickedFile[];
  /** "instant": uploads finish at once; "hold": the test drives them through `held`. */
  uploadMode: "instant" | "hold";
  held: Map<string, HeldUpload>;
  openedUrls: string[];
  /** The deployment's usage rows for the active profile, newest first. */
  usageRows: UsageRow[];
  /** What the library has cached, by range. */
  usageCache: Map<string, UsageLedger>;
  /** sync_usage's answer; by default the rows of `usageRows` in the range's UTC days. Throw
   * an AppError to refuse. */
  syncUsage: (range: UsageRange, progress: (event: UsageProgress) => void) => UsageLedger | Promise<UsageLedger>;
  /** The save dialog's answer: a path, or null for Cancel. */
  saveAnswer: string | null;
  /** Files export_usage_csv "wrote": path and rows. */
  exportedCsv: { path: string; rows: UsageRow[] }[];
  /** The stored low-balance threshold. */
  lowBalance: number;
  cacheUsage(ledger: UsageLedger): void;
  /** Sends the snapshot at once on subscribe (true) or when the test calls `sendSnapshot`. */
  autoSnapshot: boolean;
  /** The library: the gallery's and the library folder's commands. */
  gallery: FakeGallery;
  trackerChannel: AnyChannel | null;
  dropChannel: AnyChannel | null;
  emit(event: TrackerEvent): void;
  sendSnapshot(problem?: AppError | null): void;
  drop(event: DropEvent): void;
  state(): AppStateView;
  activeId(): string;
}

/** The checks.json entry for a draft: same model, scene (null: Automatic, whose inferred
 * scene Rust worked out) and prompt emptiness. */
export function fixtureCheck(draft: Draft): DraftCheck {
  const entry = CHECKS.find(
    (c) =>
      c.draft.model === draft.model &&
      c.draft.scene === draft.scene &&
      (c.draft.prompt === "") === (draft.prompt.trim() === ""),
  );
  if (!entry) {
    throw new Error(`checks.json has no check for ${draft.model || "(no model)"} in ${draft.scene}; set backend.check`);
  }
  return entry.check as DraftCheck;
}

export function installFakeBackend(): FakeBackend {
  const profiles: ProfileView[] = [
    {
      id: "sandbox",
      name: "Sandbox",
      kind: "sandbox",
      base_url: "http://127.0.0.1:4100",
      key_hint: keyHint("sk-sandbox-f00d"),
      key_source: "session",
      active: true,
    },
  ];
  let activeId = "sandbox";
  let nextId = 1;
  let nextTask = 1;
  const credits = () => backend.accounts.get(backend.keys.get(activeId) ?? "") ?? 0;
  const backend: FakeBackend = {
    calls: [],
    keys: new Map([["sandbox", "sk-sandbox-f00d"]]),
    accounts: new Map([["sk-sandbox-f00d", 500]]),
    mediaOrigins: new Map(),
    keychain: null,
    keychainAfterRetry: null,
    refuseKeys: null,
    sandbox: { state: "running", base_url: "http://127.0.0.1:4100" },
    catalogue: structuredClone(CATALOGUE),
    drafts: new Map(),
    check: fixtureCheck,
    price: () => 4,
    quote: (draft) => {
      const per_task = backend.price(draft);
      const total = per_task * draft.batch;
      const remaining = credits();
      return {
        per_task,
        batch: draft.batch,
        total,
        remaining,
        after: remaining - total,
        affordable: remaining >= total,
        estimate: false,
      };
    },
    refuseCreation: null,
    recentPrompts: [],
    tasks: new Map(),
    taskDrafts: new Map(),
    importable: new Map(),
    picked: [],
    pasted: [],
    uploadMode: "instant",
    held: new Map(),
    openedUrls: [],
    usageRows: [],
    usageCache: new Map(),
    syncUsage: (range, progress) => {
      const inRange = (row: UsageRow) => {
        const day = row.created_at.slice(0, 10);
        return (!range.from || day >= range.from.slice(0, 10)) && (!range.to || day <= range.to.slice(0, 10));
      };
      const rows = backend.usageRows.filter(inRange);
      const pages = Math.max(1, Math.ceil(rows.length / 100));
      for (let done = 1; done <= pages; done++) progress({ stage: "pages", done, total: pages });
      return makeLedger(rows, range, { profile_id: activeId });
    },
    saveAnswer: "/home/user/usage.csv",
    exportedCsv: [],
    presets: [],
    lowBalance: 50,
    cacheUsage(ledger) {
      backend.usageCache.set(rangeKey(ledger.range), ledger);
    },
    autoSnapshot: true,
    gallery: createFakeGallery(),
    trackerChannel: null,
    dropChannel: null,
    emit(event) {
      if (backend.trackerChannel) send(backend.trackerChannel, event);
    },
    sendSnapshot(problem = null) {
      const tasks = [...backend.tasks.values()]
        .filter((t) => t.profile_id === activeId)
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      backend.emit({ type: "snapshot", profile_id: activeId, tasks, problem });
    },
    drop(event) {
      if (backend.dropChannel) send(backend.dropChannel, event);
    },
    state: () => ({
      profiles: profiles.map((p) => ({ ...p, active: p.id === activeId })),
      active_id: activeId,
      keychain: backend.keychain,
      sandbox: backend.sandbox,
      media_origin: backend.mediaOrigins.get(activeId) ?? null,
      media_base: "http://127.0.0.1:4200/token",
    }),
    activeId: () => activeId,
  };
  const invalidKey = appError("The API key was rejected by 127.0.0.1. Check it in Settings.", {
    code: "invalid_api_key",
  });
  const fail = (error: AppError): never => {
    throw error;
  };
  const balanceFor = (key: string | undefined) => {
    const amount = key === undefined ? undefined : backend.accounts.get(key);
    return amount === undefined ? fail(invalidKey) : amount;
  };
  const baseUrl = (input: string) => {
    const result = normaliseBaseUrl(input);
    return "ok" in result ? result.ok : fail(appError(result.error, { kind: "invalid_input" }));
  };
  const task = (id: string) =>
    backend.tasks.get(id) ?? fail(appError(`The app has no task ${id} for this profile.`, { kind: "not_found" }));
  const changeTask = (id: string, change: Partial<TaskRecord>) => {
    const next = { ...task(id), ...change };
    next.revision += 1;
    backend.tasks.set(id, next);
    return next;
  };

  function upload(args: UploadArgs, channel: AnyChannel): Promise<DraftReference> | DraftReference {
    const name = args.path.split("/").pop() ?? args.path;
    const reference = (over: Partial<DraftReference> = {}): DraftReference => ({
      id: args.upload_id,
      slot: args.slot,
      url: `http://127.0.0.1:4100/files/${name}`,
      file_name: name,
      media: args.media,
      local_path: args.path,
      sha256: "ab".repeat(32),
      preview: `previews/${name}.webp`,
      ...over,
    });
    const event = (e: UploadEvent) => send(channel, e);
    event({ type: "started", upload_id: args.upload_id, file_name: name, size: 1000, media: args.media });
    if (backend.uploadMode === "instant") {
      const done = reference();
      event({ type: "done", upload_id: args.upload_id, reference: done, reused: false });
      return done;
    }
    return new Promise((resolve, reject) => {
      backend.held.set(args.upload_id, {
        args,
        progress: (sent, total) => event({ type: "progress", upload_id: args.upload_id, sent, total }),
        finish: (over) => {
          const done = reference(over);
          backend.held.delete(args.upload_id);
          event({ type: "done", upload_id: args.upload_id, reference: done, reused: false });
          resolve(done);
        },
        fail: (error) => {
          backend.held.delete(args.upload_id);
          event({ type: "failed", upload_id: args.upload_id, file_name: name, error });
          reject(error);
        },
      });
    });
  }

  mockIPC((cmd, payload) => {
    const p = (payload ?? {}) as { args?: Record<string, unknown>; channel?: unknown };
    // Plain data, as it would cross IPC (the page may send Svelte state proxies).
    const args = p.args === undefined ? undefined : (JSON.parse(JSON.stringify(p.args)) as Record<string, never>);
    backend.calls.push({ cmd, args });
    const channel = isChannel(p.channel) ? p.channel : null;
    switch (cmd) {
      case "app_state":
        return backend.state();
      case "retry_keychain":
        backend.keychain = backend.keychainAfterRetry;
        return backend.state();
      case "active_balance":
        return {
          profile_id: activeId,
          remaining_credits: balanceFor(backend.keys.get(activeId)),
          updated_at: null,
        };
      case "test_draft":
        return { base_url: baseUrl(args!.base_url), user_id: "u1", remaining_credits: balanceFor(args!.api_key) };
      case "test_profile":
        return { base_url: "https://x.example", user_id: "u1", remaining_credits: balanceFor(backend.keys.get(args!.id)) };
      case "add_profile": {
        const url = baseUrl(args!.base_url);
        if (backend.refuseKeys) {
          backend.keychain = backend.refuseKeys;
          throw backend.refuseKeys;
        }
        const id = `p${nextId++}`;
        backend.keys.set(id, args!.api_key);
        const view: ProfileView = {
          id,
          name: args!.name,
          kind: "user",
          base_url: url,
          key_hint: keyHint(args!.api_key),
          key_source: "keychain",
          active: false,
        };
        profiles.push(view);
        return view;
      }
      case "switch_profile":
        activeId = args!.id;
        return backend.state();
      case "delete_profile": {
        const index = profiles.findIndex((p) => p.id === args!.id);
        profiles.splice(index, 1);
        backend.keys.delete(args!.id);
        if (activeId === args!.id) activeId = "sandbox";
        return backend.state();
      }
      case "catalogue":
        return structuredClone(backend.catalogue);
      case "load_draft":
        return structuredClone(backend.drafts.get(activeId) ?? emptyDraft());
      case "save_draft":
        backend.drafts.set(activeId, (args as unknown as { draft: Draft }).draft);
        return null;
      case "check_draft":
        return backend.check((args as unknown as { draft: Draft }).draft);
      case "quote":
        return backend.quote((args as unknown as { draft: Draft }).draft);
      case "generate": {
        const draft = (args as unknown as { draft: Draft }).draft;
        const created: TaskRecord[] = [];
        let error: AppError | null = null;
        for (let i = 0; i < draft.batch; i++) {
          if (backend.refuseCreation?.at === i) {
            error = backend.refuseCreation.error;
            break;
          }
          const key = backend.keys.get(activeId) ?? "";
          const cost = backend.price(draft);
          backend.accounts.set(key, credits() - cost);
          const record = makeTask({
            id: `new-${nextTask++}`,
            profile_id: activeId,
            model: draft.model,
            prompt: draft.prompt,
            scene: draft.scene,
            cost,
            batch_index: draft.batch > 1 ? i : null,
            created_at: new Date().toISOString(),
          });
          backend.tasks.set(record.id, record);
          created.push(record);
          backend.emit({ type: "task", change: "created", task: record });
        }
        backend.recentPrompts.unshift({ prompt: draft.prompt, used_ms: Date.now() });
        return { requested: draft.batch, created, error, remaining_credits: created.length ? credits() : null };
      }
      case "recent_prompts":
        return backend.recentPrompts.slice(0, (args as unknown as { limit: number }).limit);
      case "upload_reference":
        return upload(args as unknown as UploadArgs, channel!);
      case "cancel_upload": {
        const held = backend.held.get(args!.upload_id);
        held?.fail(appError("The upload was cancelled.", { kind: "canceled" }));
        return held !== undefined;
      }
      case "pick_reference_files":
        return backend.picked.splice(0);
      case "paste_reference_files":
        return backend.pasted.splice(0);
      case "watch_drops":
        backend.dropChannel = channel;
        return null;
      case "subscribe_tasks":
        backend.trackerChannel = channel;
        if (backend.autoSnapshot) queueMicrotask(() => backend.sendSnapshot());
        return null;
      case "stop_tracking":
        return changeTask(args!.id, { tracking: false });
      case "resume_tracking":
        return changeTask(args!.id, { tracking: true, note: null });
      case "import_task": {
        const record = backend.importable.get(args!.id);
        if (!record) {
          fail(appError(`The deployment has no task ${args!.id}.`, { kind: "api", code: "not_found" }));
        }
        backend.tasks.set(record!.id, record!);
        return record;
      }
      case "task_draft":
        task(args!.id);
        return structuredClone(backend.taskDrafts.get(args!.id) ?? { ...emptyDraft(), model: task(args!.id).model });
      case "open_url":
        backend.openedUrls.push(args!.url);
        return null;
      case "cached_usage":
        return backend.usageCache.get(rangeKey(args as unknown as UsageRange)) ?? null;
      case "sync_usage":
      case "export_usage_csv":
        return (async () => {
          const range = args as unknown as UsageRange;
          if (cmd === "export_usage_csv" && backend.saveAnswer === null) return null;
          const ledger = await backend.syncUsage(range, (event) => send(channel!, event));
          backend.cacheUsage(ledger);
          if (cmd === "sync_usage") return ledger;
          backend.exportedCsv.push({ path: backend.saveAnswer!, rows: ledger.rows });
          return { path: backend.saveAnswer, rows: ledger.rows.length, total_credits_consumed: ledger.total_credits_consumed };
        })();
      case "import_missing_tasks": {
        const range = args as unknown as UsageRange;
        const cached = backend.usageCache.get(rangeKey(range));
        if (!cached) fail(appError("Load this range's usage first, then import its missing tasks.", { kind: "not_found" }));
        const missing = [...new Set(cached!.rows.filter((r) => r.model === null && r.task_id).map((r) => r.task_id!))];
        const imported: TaskRecord[] = [];
        const failed: { task_id: string; error: AppError }[] = [];
        missing.forEach((id, i) => {
          const record = backend.importable.get(id);
          if (record) {
            backend.tasks.set(id, record);
            imported.push(record);
          } else {
            failed.push({ task_id: id, error: appError(`The deployment has no task ${id}.`, { code: "task_not_found" }) });
          }
          send(channel!, { stage: "tasks", done: i + 1, total: missing.length });
        });
        const rows = cached!.rows.map((r) => {
          const known = r.task_id ? backend.tasks.get(r.task_id) : undefined;
          return known ? { ...r, model: known.model } : r;
        });
        const ledger = makeLedger(rows, range, { total: cached!.total, total_credits_consumed: cached!.total_credits_consumed });
        backend.cacheUsage(ledger);
        return { imported, failed, ledger };
      }
      case "balance_settings":
        return { low_balance_threshold: backend.lowBalance };
      case "set_balance_settings": {
        const value = (args as unknown as { low_balance_threshold: number }).low_balance_threshold;
        if (value < 0 || value > 1_000_000_000) {
          fail(appError("Enter a number of credits from 0 to 1,000,000,000 (0 turns the warning off).", { kind: "invalid_input" }));
        }
        backend.lowBalance = value;
        return { low_balance_threshold: value };
      }
      // Presets: stored as sent; fitting a preset onto the forms is the core's (tested in
      // crates/studio/tests/presets.rs): here a model the catalogue lacks is only dropped.
      case "presets":
        return structuredClone(backend.presets);
      case "save_preset": {
        const { name, draft } = args as unknown as { name: string; draft: Draft };
        if (name.trim() === "") fail(appError("Give the preset a name.", { kind: "invalid_input" }));
        const listed = backend.catalogue.models.some((m) => m.model === draft.model);
        const preset = { id: nextTask++, name: name.trim(), draft, model_missing: !listed, updated_ms: Date.now() };
        backend.presets = [...backend.presets.filter((p) => p.name !== preset.name), preset];
        return preset;
      }
      case "delete_preset": {
        const { id } = args as unknown as { id: number };
        backend.presets = backend.presets.filter((p) => p.id !== id);
        return null;
      }
      case "apply_preset": {
        const { id, draft, keep_prompt } = args as unknown as { id: number; draft: Draft; keep_prompt: boolean };
        const preset = backend.presets.find((p) => p.id === id) ?? fail(appError("That preset is gone.", { kind: "not_found" }));
        const applied = { ...structuredClone(preset.draft), prompt: keep_prompt ? draft.prompt : preset.draft.prompt };
        if (backend.catalogue.models.some((m) => m.model === preset.draft.model)) return { draft: applied, dropped: [] };
        return {
          draft: { ...applied, model: draft.model, options: {}, references: [] },
          dropped: [`the model ${preset.draft.model}, which the deployment no longer lists`],
        };
      }
      default:
        if (backend.gallery.handles(cmd)) return backend.gallery.answer(cmd, args);
        throw new Error(`the fake backend does not know ${cmd}`);
    }
  });
  return backend;
}
