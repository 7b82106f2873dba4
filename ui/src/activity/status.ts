// Task states and times in the app's words (ux.md: Pending, Processing, Succeeded,
// Failed, Canceled), shared by Activity and Create's session results.
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import type { TaskState } from "../lib/bindings/TaskState";

export const STATUS_WORDS: Record<TaskState, string> = {
  pending: "Pending",
  processing: "Processing",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

export const isRunning = (task: TaskRecord) => task.state === "pending" || task.state === "processing";

/** Milliseconds from the task's creation to its end (or to `now` while it runs). */
export function elapsedMs(task: TaskRecord, now: number): number {
  const start = Date.parse(task.created_at);
  if (Number.isNaN(start)) return 0;
  let end = now;
  if (!isRunning(task)) {
    const updated = task.updated_at ? Date.parse(task.updated_at) : Number.NaN;
    end = task.finished_ms ?? (Number.isNaN(updated) ? now : updated);
  }
  return Math.max(0, end - start);
}

/** "8 s", "2 min 05 s", "1 h 04 min". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
}

const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/** "Today", "Yesterday", or the date in the user's words. */
export function dayLabel(date: Date, now: Date): string {
  if (dayKey(date) === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "long",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

/** Tasks (newest first) grouped by the local day they were created. */
export function groupByDay(tasks: TaskRecord[], now: Date): { key: string; label: string; tasks: TaskRecord[] }[] {
  const groups: { key: string; label: string; tasks: TaskRecord[] }[] = [];
  for (const task of tasks) {
    const date = new Date(task.created_at);
    const key = Number.isNaN(date.getTime()) ? "unknown" : dayKey(date);
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, label: key === "unknown" ? "Unknown date" : dayLabel(date, now), tasks: [] };
      groups.push(group);
    }
    group.tasks.push(task);
  }
  return groups;
}

/** A short name for an output link: the file name in its URL. */
export function outputName(url: string, index: number): string {
  const name = url.split(/[?#]/)[0].split("/").pop();
  return name ? name : `Output ${index + 1}`;
}
