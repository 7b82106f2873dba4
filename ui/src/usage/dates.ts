// The Usage page's dates. The API reads a date-only bound as a whole UTC day, so the
// presets and the chart's day buckets are UTC days too: a row belongs to the same day
// whatever the computer's time zone is.
import type { UsageRange } from "../lib/bindings/UsageRange";

export type Preset = "today" | "last7" | "last30" | "month" | "custom";

export const PRESETS: readonly { id: Preset; label: string }[] = [
  { id: "today", label: "Today" },
  { id: "last7", label: "Last 7 days" },
  { id: "last30", label: "Last 30 days" },
  { id: "month", label: "This month" },
  { id: "custom", label: "Custom" },
];

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date | string | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

export function isDateOnly(text: string | null | undefined): text is string {
  return typeof text === "string" && DATE_ONLY.test(text);
}

/** `day` moved by `days` whole days. */
export function addDays(day: string, days: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** Every UTC day from `from` to `to`, both included (empty when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The range a preset covers on `now`'s UTC day; `custom` takes the typed bounds as they are. */
export function presetRange(preset: Preset, now: Date | number, custom: { from: string; to: string } = { from: "", to: "" }): UsageRange {
  const today = utcDay(now);
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "last7":
      return { from: addDays(today, -6), to: today };
    case "last30":
      return { from: addDays(today, -29), to: today };
    case "month":
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case "custom":
      return { from: custom.from.trim() || null, to: custom.to.trim() || null };
  }
}

const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const dayWithYear = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** "Mar 3" for a UTC day (with the year when it is not `thisYear`'s). */
export function formatDay(day: string, thisYear?: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return (thisYear && day.startsWith(thisYear) ? dayLabel : dayWithYear).format(date);
}

/** How the page names a range: "Mar 1 – Mar 7, 2026 (UTC days)". */
export function describeRange(range: UsageRange): string {
  const part = (bound: string | null) => (bound === null ? null : isDateOnly(bound) ? formatDay(bound) : bound);
  const from = part(range.from);
  const to = part(range.to);
  if (from && to) return from === to ? from : `${from} – ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return "all time";
}

const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const localTime = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** A row's day and time in the computer's time zone, and the same instant in UTC for the hover. */
export function formatWhen(createdAt: string): { date: string; time: string; utc: string } {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) return { date: createdAt, time: "", utc: createdAt };
  return {
    date: localDate.format(date),
    time: localTime.format(date),
    utc: `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`,
  };
}
