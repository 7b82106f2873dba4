import { Listeners } from "../lib/listeners";
import { stream, call, toIpcError, type IpcError } from "../lib/ipc";
import type { AppError } from "../lib/bindings/AppError";
import type { Draft } from "../lib/bindings/Draft";
import type { SubmitReport } from "../lib/bindings/SubmitReport";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TrackerEvent } from "../lib/bindings/TrackerEvent";

const newestFirst = (a: TaskRecord, b: TaskRecord) =>
  Date.parse(b.created_at) - Date.parse(a.created_at) || b.recorded_ms - a.recorded_ms;

/** A balance a creation reply or the tracker reported for a profile. */
export interface ReportedBalance {
  profileId: string;
  remaining: number;
}

export const isFinal = (task: TaskRecord) =>
  task.state === "succeeded" || task.state === "failed" || task.state === "canceled";

/**
 * The active profile's tasks as the Rust tracker announces them: a snapshot first, then
 * every change. The page never polls the API; it subscribes again whenever the active
 * profile changes or the page loads, and the tracker replays its state.
 */
export class TaskStore {
  tasks = $state<TaskRecord[]>([]);
  /** The snapshot has arrived. */
  loaded = $state(false);
  /** Why the tracker cannot reach the deployment right now. */
  problem = $state<AppError | null>(null);
  subscribeError = $state<IpcError | null>(null);

  #subscription = 0;
  #profile: string | null = null;
  #connection = new Listeners();
  #events = new Listeners<TrackerEvent>();
  #balances = new Listeners<ReportedBalance>();
  #charges = new Listeners();

  /** Subscribes for `profileId`; events of any earlier subscription are ignored from now on. */
  async subscribe(profileId: string): Promise<void> {
    const subscription = ++this.#subscription;
    this.#profile = profileId;
    this.tasks = [];
    this.loaded = false;
    this.problem = null;
    this.subscribeError = null;
    try {
      await stream("subscribe_tasks", (event) => {
        if (subscription === this.#subscription) this.apply(event);
      });
    } catch (error) {
      if (subscription === this.#subscription) this.subscribeError = toIpcError(error);
    }
  }

  /** Applies an event of the subscription, then hands it on (the gallery follows the same
   * channel: `item` and `download` events are its alone). */
  apply(event: TrackerEvent): void {
    this.#applyOwn(event);
    this.#events.emit(event);
  }

  #applyOwn(event: TrackerEvent): void {
    switch (event.type) {
      case "snapshot":
        if (event.profile_id !== this.#profile) return;
        this.tasks = [...event.tasks].sort(newestFirst);
        this.problem = event.problem;
        this.loaded = true;
        return;
      case "task":
        if (event.task.profile_id !== this.#profile) return;
        this.upsert(event.task);
        if (event.change === "refunded" || event.change === "failed") this.#charges.emit();
        return;
      case "connection":
        if (event.profile_id !== this.#profile) return;
        this.problem = event.problem;
        this.#connection.emit();
        return;
      case "balance":
        this.#balances.emit({ profileId: event.profile_id, remaining: event.remaining_credits });
        return;
    }
  }

  /** Takes a record unless the store already has the same or a newer revision of it. */
  upsert(task: TaskRecord): void {
    if (task.profile_id !== this.#profile) return;
    const index = this.tasks.findIndex((t) => t.id === task.id);
    if (index >= 0) {
      if (this.tasks[index].revision >= task.revision) return;
      this.tasks[index] = task;
    } else {
      this.tasks = [...this.tasks, task].sort(newestFirst);
    }
  }

  /**
   * Generate (the Create page's button, or "Run again"): creates the draft's batch and
   * applies what the reply says, the new tasks and the balance after them. Nothing is
   * retried; the report says how many were created and why the rest were not.
   */
  async generate(draft: Draft): Promise<SubmitReport> {
    const report = await call("generate", { args: { draft } });
    for (const task of report.created) this.upsert(task);
    if (report.remaining_credits !== null && report.created.length > 0) {
      this.#balances.emit({ profileId: report.created[0].profile_id, remaining: report.remaining_credits });
    }
    return report;
  }

  /** The request that made a task, as a draft ("Open in Create", "Extend", "Run again"). */
  draftOf(id: string): Promise<Draft> {
    return call("task_draft", { args: { id } });
  }

  /** Opens one of a task's output links in the browser. */
  async openOutput(url: string): Promise<void> {
    await call("open_url", { args: { url } });
  }

  byId(id: string): TaskRecord | undefined {
    return this.tasks.find((t) => t.id === id);
  }

  async stopTracking(id: string): Promise<void> {
    this.upsert(await call("stop_tracking", { args: { id } }));
  }

  async resumeTracking(id: string): Promise<void> {
    this.upsert(await call("resume_tracking", { args: { id } }));
  }

  async importTask(id: string): Promise<TaskRecord> {
    const task = await call("import_task", { args: { id } });
    this.upsert(task);
    return task;
  }

  /** Called with every event of the active subscription, after the store applied it. */
  onEvent(listener: (event: TrackerEvent) => void): () => void {
    return this.#events.add(listener);
  }

  /** Called with every balance a creation reply or the tracker reported. */
  onBalance(listener: (balance: ReportedBalance) => void): () => void {
    return this.#balances.add(listener);
  }

  /** Called when a task failed or was refunded: the balance may have changed without a
   * figure to show, so it is read again. */
  onChargeChange(listener: () => void): () => void {
    return this.#charges.add(listener);
  }

  /** Called when the tracker's connection problem changes. */
  onConnection(listener: () => void): () => void {
    return this.#connection.add(listener);
  }
}
