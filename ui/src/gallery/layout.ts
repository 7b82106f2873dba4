// The grid's rows: a day header, then that day's tiles in rows of `columns`. The virtual
// list renders rows (not tiles), so its sizes are exact and known before anything is
// measured: a header is HEADER_HEIGHT, a row of tiles is one tile plus the gap.
import type { DayGroup } from "../lib/bindings/DayGroup";

export const HEADER_HEIGHT = 44;
export const GAP = 8;
/** Tiles are at least this wide; the columns fill the width between. */
export const MIN_TILE = 168;

export type Row =
  | { kind: "day"; day: string; count: number }
  | { kind: "tiles"; start: number; end: number };

export interface Layout {
  rows: Row[];
  columns: number;
  tile: number;
  /** The indices in `rows` of the rows of tiles, in order (for finding a tile's row). */
  tileRows: number[];
}

/** How many columns fit in `width`, and how wide each tile is. */
export function columnsFor(width: number): { columns: number; tile: number } {
  const usable = Math.max(0, width);
  const columns = Math.max(2, Math.floor((usable + GAP) / (MIN_TILE + GAP)));
  const tile = Math.max(40, Math.floor((usable - GAP * (columns - 1)) / columns));
  return { columns, tile };
}

/**
 * The rows for `days` (runs of the list, in order) at `columns` per row. Tiles outside
 * every day group (there should be none) get a row of their own group without a header.
 */
export function layoutRows(days: DayGroup[], total: number, width: number): Layout {
  const { columns, tile } = columnsFor(width);
  const rows: Row[] = [];
  const tileRows: number[] = [];
  let covered = 0;
  const pushTiles = (start: number, count: number) => {
    for (let at = start; at < start + count; at += columns) {
      tileRows.push(rows.length);
      rows.push({ kind: "tiles", start: at, end: Math.min(start + count, at + columns) });
    }
  };
  for (const group of days) {
    if (group.count <= 0) continue;
    rows.push({ kind: "day", day: group.day, count: group.count });
    pushTiles(group.start, group.count);
    covered = group.start + group.count;
  }
  if (covered < total) pushTiles(covered, total - covered);
  return { rows, columns, tile, tileRows };
}

export const rowHeight = (row: Row, tile: number) => (row.kind === "day" ? HEADER_HEIGHT : tile + GAP);

/** The row that shows tile `index` (binary search over the rows of tiles), or -1. */
export function rowOfTile(layout: Layout, index: number): number {
  const { rows, tileRows } = layout;
  let low = 0;
  let high = tileRows.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const row = rows[tileRows[middle]] as Extract<Row, { kind: "tiles" }>;
    if (index < row.start) high = middle - 1;
    else if (index >= row.end) low = middle + 1;
    else return tileRows[middle];
  }
  return -1;
}

/**
 * The tile an arrow key moves to. Up and Down keep the column within the day group's
 * rows (the grid restarts its columns under each day header), landing on the nearest
 * tile of the shorter last row.
 */
export function tileAbove(layout: Layout, index: number, direction: -1 | 1): number {
  const at = rowOfTile(layout, index);
  if (at < 0) return index;
  const row = layout.rows[at] as Extract<Row, { kind: "tiles" }>;
  const column = index - row.start;
  let next = at + direction;
  while (next >= 0 && next < layout.rows.length && layout.rows[next].kind === "day") next += direction;
  const target = layout.rows[next];
  if (!target || target.kind !== "tiles") return index;
  return Math.min(target.start + column, target.end - 1);
}

/** The day groups after tile `index` left the list. */
export function withoutTile(days: DayGroup[], index: number): DayGroup[] {
  const next: DayGroup[] = [];
  for (const group of days) {
    if (index >= group.start && index < group.start + group.count) {
      if (group.count > 1) next.push({ ...group, count: group.count - 1 });
    } else if (group.start > index) {
      next.push({ ...group, start: group.start - 1 });
    } else {
      next.push(group);
    }
  }
  return next;
}

/** "2026-11-30" as that local day's Date. */
export function dayDate(day: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, (m || 1) - 1, d || 1);
}
