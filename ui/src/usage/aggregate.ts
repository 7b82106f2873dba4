// What the Usage page draws from a ledger: credits per UTC day stacked by media type or
// by model, and totals per model. Pure functions, so the arithmetic is tested on its own.
import type { UsageLedger } from "../lib/bindings/UsageLedger";
import type { UsageRow } from "../lib/bindings/UsageRow";
import { isDateOnly, utcDay, utcDaysBetween } from "../lib/dates";

export type ChartMode = "media" | "model";

/** The stack of rows the app cannot name: unknown tasks (by model) or rows without a type. */
export const OTHER = "other";
/** The series of refunds, drawn below zero in every mode. */
export const REFUNDS = "refunds";

export interface DaySeries {
  key: string;
  /** Credits per day, in the order of `days`; refunds are negative. */
  values: number[];
}

export interface Daily {
  days: string[];
  /** Charges per key (largest first, `other` last), then `refunds` when there are any. */
  series: DaySeries[];
  /** Net credits per day. */
  totals: number[];
}

/** The most days the chart spans when the range is open or very long; past this it spans
 * only the days that have rows. */
const MAX_SPAN = 731;

/** The UTC days a ledger's chart covers: the asked range when it names days, else the
 * bounds the server resolved, else the days of the rows. */
export function chartDays(ledger: Pick<UsageLedger, "range" | "from" | "to" | "rows">): string[] {
  const rowDays = ledger.rows.map((r) => utcDay(r.created_at)).sort();
  const first = isDateOnly(ledger.range.from) ? ledger.range.from : ledger.from ? utcDay(ledger.from) : rowDays[0];
  const last = isDateOnly(ledger.range.to) ? ledger.range.to : ledger.to ? utcDay(ledger.to) : rowDays.at(-1);
  if (!first || !last) return rowDays.length ? utcDaysBetween(rowDays[0], rowDays.at(-1)!) : [];
  const days = utcDaysBetween(first, last);
  if (days.length <= MAX_SPAN) return days;
  return rowDays.length ? utcDaysBetween(rowDays[0], rowDays.at(-1)!).slice(-MAX_SPAN) : [];
}

function keyOf(row: UsageRow, mode: ChartMode): string {
  return (mode === "media" ? row.media_type : row.model) ?? OTHER;
}

/** Credits per UTC day over `days` (days without rows are zero), stacked by `mode`. */
export function perDay(rows: UsageRow[], days: string[], mode: ChartMode): Daily {
  const index = new Map(days.map((day, i) => [day, i]));
  const charges = new Map<string, number[]>();
  const refunds = days.map(() => 0);
  const totals = days.map(() => 0);
  for (const row of rows) {
    const at = index.get(utcDay(row.created_at));
    if (at === undefined) continue;
    totals[at] += row.credits;
    if (row.credits < 0) {
      refunds[at] += row.credits;
      continue;
    }
    const key = keyOf(row, mode);
    let values = charges.get(key);
    if (!values) charges.set(key, (values = days.map(() => 0)));
    values[at] += row.credits;
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const series = [...charges.entries()]
    .map(([key, values]) => ({ key, values }))
    .sort((a, b) => Number(a.key === OTHER) - Number(b.key === OTHER) || sum(b.values) - sum(a.values) || a.key.localeCompare(b.key));
  if (refunds.some((v) => v !== 0)) series.push({ key: REFUNDS, values: refunds });
  return { days, series, totals };
}

export interface ModelTotal {
  /** The model id, or `other` for tasks the app does not know. */
  model: string;
  /** Distinct tasks. */
  tasks: number;
  /** Credits charged. */
  charged: number;
  /** Credits given back (a positive number). */
  refunded: number;
  /** charged − refunded */
  net: number;
}

/** Totals per model for the range: known tasks by their model, the rest as `other`. */
export function modelTotals(rows: UsageRow[]): ModelTotal[] {
  const totals = new Map<string, ModelTotal & { ids: Set<string> }>();
  for (const row of rows) {
    const model = row.model ?? OTHER;
    let entry = totals.get(model);
    if (!entry) totals.set(model, (entry = { model, tasks: 0, charged: 0, refunded: 0, net: 0, ids: new Set() }));
    if (row.credits < 0) entry.refunded -= row.credits;
    else entry.charged += row.credits;
    entry.net += row.credits;
    if (row.task_id) entry.ids.add(row.task_id);
  }
  return [...totals.values()]
    .map(({ ids, ...rest }) => ({ ...rest, tasks: ids.size }))
    .sort((a, b) => Number(a.model === OTHER) - Number(b.model === OTHER) || b.net - a.net || a.model.localeCompare(b.model));
}

/** Credits charged and given back over the rows. */
export function chargesAndRefunds(rows: UsageRow[]): { charged: number; refunded: number } {
  let charged = 0;
  let refunded = 0;
  for (const row of rows) {
    if (row.credits < 0) refunded -= row.credits;
    else charged += row.credits;
  }
  return { charged, refunded };
}
