// Task states in the app's words (ux.md: Pending, Processing, Succeeded, Failed, Canceled),
// one table for every place that names one: Activity's rows, Create's session results and
// the viewer's request panel.
import type { TaskState } from "./bindings/TaskState";

export const TASK_STATE_WORDS: Record<TaskState, string> = {
  pending: "Pending",
  processing: "Processing",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

export const isRunning = (task: { state: TaskState }) => task.state === "pending" || task.state === "processing";
