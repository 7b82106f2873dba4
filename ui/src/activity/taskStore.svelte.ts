import { Listeners } from "../lib/listeners";
import { stream, call, toIpcError, type IpcError } from "../lib/ipc";
import type { AppError } from "../lib/bindings/AppError";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TrackerEvent } from "../lib/bindings/TrackerEvent";
import type { AppStore } from "../shell/appStore.svelte";

const newestFirst = (a: TaskRecord, b: TaskRecord) =>
  Date.parse(b.created_at) - Date.parse(a.created_at) || b.recorded_ms - a.recorded_ms;

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

  constructor(private readonly app: AppStore) {}

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
        if (event.change === "refunded" || event.change === "failed") void this.app.refreshBalance();
        return;
      case "connection":
        if (event.profile_id !== this.#profile) return;
        this.problem = event.problem;
        this.#connection.emit();
        return;
      case "balance":
        this.app.setBalance(event.profile_id, event.remaining_credits);
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

  /** Called when the tracker's connection problem changes. */
  onConnection(listener: () => void): () => void {
    return this.#connection.add(listener);
  }
}
