// Multi-select as in a file manager or a photo library: a click on a tile's check mark or
// with Ctrl/Cmd toggles it, Shift+click selects the run from the anchor (the last tile
// clicked) to the clicked tile, Ctrl/Cmd+A selects everything. Keys, not indices, are
// kept: the list is queried again after filters and events, and a selection survives that.

export interface Selection {
  keys: ReadonlySet<string>;
  /** The key a Shift+click or Shift+arrow extends from. */
  anchor: string | null;
}

export const emptySelection = (): Selection => ({ keys: new Set(), anchor: null });

export interface Modifiers {
  shift: boolean;
  /** Ctrl on Linux and Windows, Cmd on macOS. */
  toggle: boolean;
}

/** The list the selection is over: its keys by position, and positions by key. */
export interface Sequence {
  count: number;
  keyAt(index: number): string;
  indexOf(key: string): number;
}

function range(sequence: Sequence, from: number, to: number): string[] {
  const [low, high] = from <= to ? [from, to] : [to, from];
  const keys: string[] = [];
  for (let i = low; i <= high; i++) keys.push(sequence.keyAt(i));
  return keys;
}

/**
 * The selection after a click on `key` that selects (a click on the check mark, or any
 * click while something is selected, counts as `toggle`).
 */
export function clickSelect(selection: Selection, sequence: Sequence, key: string, mods: Modifiers): Selection {
  const at = sequence.indexOf(key);
  if (at < 0) return selection;
  const anchorAt = selection.anchor === null ? -1 : sequence.indexOf(selection.anchor);
  if (mods.shift && anchorAt >= 0) {
    // Shift extends from the anchor; with Ctrl/Cmd the run is added to what was selected.
    const keys = new Set(mods.toggle ? selection.keys : []);
    for (const k of range(sequence, anchorAt, at)) keys.add(k);
    return { keys, anchor: selection.anchor };
  }
  const keys = new Set(selection.keys);
  if (keys.has(key)) keys.delete(key);
  else keys.add(key);
  return { keys, anchor: key };
}

/** Everything in the list. */
export function selectAll(sequence: Sequence): Selection {
  // An empty list has no run to select (range(0, -1) would name a key that is not there).
  if (sequence.count === 0) return emptySelection();
  return { keys: new Set(range(sequence, 0, sequence.count - 1)), anchor: sequence.count > 0 ? sequence.keyAt(0) : null };
}

/** Shift+arrow: the run from the anchor (or `from`) to `to` becomes the selection. */
export function extendTo(selection: Selection, sequence: Sequence, from: number, to: number): Selection {
  const anchorAt = selection.anchor === null ? -1 : sequence.indexOf(selection.anchor);
  const start = anchorAt >= 0 ? anchorAt : from;
  return { keys: new Set(range(sequence, start, to)), anchor: sequence.keyAt(start) };
}

/** What is still in the list (after a query or a removal); the anchor goes if its tile did. */
export function keepExisting(selection: Selection, sequence: Sequence): Selection {
  const keys = new Set([...selection.keys].filter((k) => sequence.indexOf(k) >= 0));
  const anchor = selection.anchor !== null && sequence.indexOf(selection.anchor) >= 0 ? selection.anchor : null;
  if (keys.size === selection.keys.size && anchor === selection.anchor) return selection;
  return { keys, anchor };
}

/** The keys an action applies to: the selection in list order, or else the tile at the cursor. */
export function targets(selection: Selection, sequence: Sequence, cursor: string | null): string[] {
  if (selection.keys.size > 0) {
    return [...selection.keys]
      .map((k) => [k, sequence.indexOf(k)] as const)
      .filter(([, i]) => i >= 0)
      .sort((a, b) => a[1] - b[1])
      .map(([k]) => k);
  }
  return cursor !== null && sequence.indexOf(cursor) >= 0 ? [cursor] : [];
}

/** A selection of exactly `keys`. */
export const selectionOf = (keys: string[]): Selection => ({ keys: new Set(keys), anchor: keys[0] ?? null });

/** A live sequence over a list that changes (read through `list()` at every call). */
export function liveSequence<T extends { key: string }>(list: () => readonly T[], indexOf: (key: string) => number): Sequence {
  return {
    get count() {
      return list().length;
    },
    keyAt: (i) => list()[i]?.key ?? "",
    indexOf,
  };
}

/** Position of every key of a list. */
export function positionsOf(list: readonly { key: string }[]): Map<string, number> {
  const map = new Map<string, number>();
  list.forEach((item, i) => map.set(item.key, i));
  return map;
}
