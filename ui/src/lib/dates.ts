// Every date and time the UI computes or words, in one place, in two families whose names
// say which clock they use:
// - `local…`: the computer's time zone. The gallery's date filter, Activity's day groups
//   and "Today"/"Yesterday", and the moments shown to the user are local days and times.
// - `utc…`: UTC days as `YYYY-MM-DD`. The API reads a date-only bound as a whole UTC day,
//   so the Usage page's presets, chart buckets and range names are UTC days: a row belongs
//   to the same day whatever the computer's time zone is.
// Plus how long a task took (`elapsedMs`, `formatElapsed`).
import type { TaskRecord } from "./bindings/TaskRecord";
import type { UsageRange } from "./bindings/UsageRange";
import { isRunning } from "./status";

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

// ---- Local days and times -------------------------------------------------------------

/** `YYYY-MM-DD` of the local day of `ms` (of the day before an exclusive end when
 * `inclusiveEnd`), for a date input; empty for no bound. */
export function localDayInput(ms: number | null, inclusiveEnd = false): string {
  if (ms === null) return "";
  const date = new Date(inclusiveEnd ? ms - 1 : ms);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** Local midnight at the start of `YYYY-MM-DD` (`days` later when given), in ms, or null. */
export function localDayStart(value: string, days = 0): number | null {
  const [y, m, d] = value.split("-").map(Number);
  return y && m && d ? new Date(y, m - 1, d + days).getTime() : null;
}

/** Local midnight that starts the last `days` days (today counts as one), in ms. */
export function localLastDaysStart(days: number, now = Date.now()): number {
  const date = new Date(now);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() - (days - 1)).getTime();
}

const localDayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/** "Today", "Yesterday", or the local date in the user's words (the year only when it is
 * not `now`'s). */
export function localDayLabel(date: Date, now: Date): string {
  if (localDayKey(date) === localDayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (localDayKey(date) === localDayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "long",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

/** Records (newest first) grouped by the local day they were created, each group labelled
 * as `localDayLabel` words it. */
export function groupByLocalDay<T extends { created_at: string }>(records: T[], now: Date): { key: string; label: string; tasks: T[] }[] {
  const groups: { key: string; label: string; tasks: T[] }[] = [];
  for (const record of records) {
    const date = new Date(record.created_at);
    const key = Number.isNaN(date.getTime()) ? "unknown" : localDayKey(date);
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, label: key === "unknown" ? "Unknown date" : localDayLabel(date, now), tasks: [] };
      groups.push(group);
    }
    group.tasks.push(record);
  }
  return groups;
}

/** A moment (ms since the epoch) as the user's locale writes a local date and time; empty
 * when unknown. */
export function formatLocalDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const localTime = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** An RFC 3339 instant as a local date and a local time, and the same instant in UTC for a
 * hover; the text as it is when it does not parse. */
export function formatLocalWithUtc(instant: string): { date: string; time: string; utc: string } {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return { date: instant, time: "", utc: instant };
  return {
    date: localDate.format(date),
    time: localTime.format(date),
    utc: `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`,
  };
}

// ---- UTC days ---------------------------------------------------------------------------

/** The UTC day of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date | string | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The text is a bare `YYYY-MM-DD` (a whole UTC day to the API), not an instant. */
export function isDateOnly(text: string | null | undefined): text is string {
  return typeof text === "string" && DATE_ONLY.test(text);
}

/** The UTC day `day` moved by `days` whole days. */
export function utcAddDays(day: string, days: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** Every UTC day from `from` to `to`, both included (empty when `to` is before `from`). */
export function utcDaysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = utcAddDays(day, 1)) days.push(day);
  return days;
}

export type UtcPreset = "today" | "last7" | "last30" | "month" | "custom";

/** The Usage page's ranges, each a run of whole UTC days ending on today's. */
export const UTC_PRESETS: readonly { id: UtcPreset; label: string }[] = [
  { id: "today", label: "Today" },
  { id: "last7", label: "Last 7 days" },
  { id: "last30", label: "Last 30 days" },
  { id: "month", label: "This month" },
  { id: "custom", label: "Custom" },
];

/** The range a preset covers on `now`'s UTC day; `custom` takes the typed bounds as they are. */
export function utcPresetRange(preset: UtcPreset, now: Date | number, custom: { from: string; to: string } = { from: "", to: "" }): UsageRange {
  const today = utcDay(now);
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "last7":
      return { from: utcAddDays(today, -6), to: today };
    case "last30":
      return { from: utcAddDays(today, -29), to: today };
    case "month":
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case "custom":
      return { from: custom.from.trim() || null, to: custom.to.trim() || null };
  }
}

const utcDayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const utcDayWithYear = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** "Mar 3" for a UTC day (with the year when it is not `thisYear`'s). */
export function formatUtcDay(day: string, thisYear?: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return (thisYear && day.startsWith(thisYear) ? utcDayLabel : utcDayWithYear).format(date);
}

/** How the Usage page names a range of UTC days: "Mar 1, 2026 – Mar 7, 2026", "all time". */
export function describeUtcRange(range: UsageRange): string {
  const part = (bound: string | null) => (bound === null ? null : isDateOnly(bound) ? formatUtcDay(bound) : bound);
  const from = part(range.from);
  const to = part(range.to);
  if (from && to) return from === to ? from : `${from} – ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return "all time";
}

// ---- How long a task took -----------------------------------------------------------------

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
