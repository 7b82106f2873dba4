// The date filter: the user picks local days, the core takes instants (ms since the epoch,
// the start inclusive and the end exclusive).

/** `YYYY-MM-DD` of a local day. */
export function dayInput(ms: number | null, inclusiveEnd = false): string {
  if (ms === null) return "";
  const date = new Date(inclusiveEnd ? ms - 1 : ms);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** Local midnight at the start of `YYYY-MM-DD` (`days` later when given), or null. */
export function dayStart(value: string, days = 0): number | null {
  const [y, m, d] = value.split("-").map(Number);
  return y && m && d ? new Date(y, m - 1, d + days).getTime() : null;
}

/** Local midnight that starts the last `days` days (today counts as one). */
export function lastDays(days: number, now = Date.now()): number {
  const date = new Date(now);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() - (days - 1)).getTime();
}
