// Multi-select over the gallery's list: click, Ctrl/Cmd+click, Shift+click runs from the
// anchor, Ctrl/Cmd+A, Shift+arrows, and what an action applies to.
import { describe, expect, it } from "vitest";
import {
  clickSelect,
  emptySelection,
  extendTo,
  keepExisting,
  liveSequence,
  positionsOf,
  selectAll,
  targets,
  type Selection,
} from "./selection";

function listOf(keys: string[]) {
  const tiles = keys.map((key) => ({ key }));
  const positions = positionsOf(tiles);
  return liveSequence(
    () => tiles,
    (key) => positions.get(key) ?? -1,
  );
}

const KEYS = ["a", "b", "c", "d", "e", "f", "g"];
const plain = { shift: false, toggle: false };
const shift = { shift: true, toggle: false };
const ctrl = { shift: false, toggle: true };
const ctrlShift = { shift: true, toggle: true };
const sorted = (s: Selection) => [...s.keys].sort();

describe("clicking tiles", () => {
  it("a click selects a tile and makes it the anchor; a second click on it deselects it", () => {
    const list = listOf(KEYS);
    const one = clickSelect(emptySelection(), list, "c", plain);
    expect(sorted(one)).toEqual(["c"]);
    expect(one.anchor).toBe("c");
    const none = clickSelect(one, list, "c", plain);
    expect(sorted(none)).toEqual([]);
  });

  it("Ctrl/Cmd+click adds tiles one by one", () => {
    const list = listOf(KEYS);
    let s = clickSelect(emptySelection(), list, "b", ctrl);
    s = clickSelect(s, list, "e", ctrl);
    s = clickSelect(s, list, "g", ctrl);
    expect(sorted(s)).toEqual(["b", "e", "g"]);
    expect(s.anchor).toBe("g");
  });

  it("Shift+click selects the run from the anchor, forwards and backwards, replacing the rest", () => {
    const list = listOf(KEYS);
    const anchored = clickSelect(clickSelect(emptySelection(), list, "a", ctrl), list, "c", ctrl);
    const forwards = clickSelect(anchored, list, "f", shift);
    expect(sorted(forwards)).toEqual(["c", "d", "e", "f"]);
    expect(forwards.anchor).toBe("c");
    // The anchor stays: a second Shift+click re-spans from it (here backwards).
    const backwards = clickSelect(forwards, list, "b", shift);
    expect(sorted(backwards)).toEqual(["b", "c"]);
  });

  it("Ctrl+Shift+click adds the run to what was selected", () => {
    const list = listOf(KEYS);
    const s = clickSelect(clickSelect(clickSelect(emptySelection(), list, "a", ctrl), list, "d", ctrl), list, "f", ctrlShift);
    expect(sorted(s)).toEqual(["a", "d", "e", "f"]);
  });

  it("Shift+click without an anchor selects just that tile", () => {
    const s = clickSelect(emptySelection(), listOf(KEYS), "d", shift);
    expect(sorted(s)).toEqual(["d"]);
    expect(s.anchor).toBe("d");
  });

  it("a key that is not in the list changes nothing", () => {
    const s = clickSelect(emptySelection(), listOf(KEYS), "zz", plain);
    expect(s.keys.size).toBe(0);
  });
});

describe("keyboard selection", () => {
  it("Ctrl/Cmd+A selects the whole list, anchored at the first tile", () => {
    const s = selectAll(listOf(KEYS));
    expect(sorted(s)).toEqual(KEYS);
    expect(s.anchor).toBe("a");
    expect(selectAll(listOf([])).keys.size).toBe(0);
  });

  it("Shift+arrows extend from the anchor, or from where the cursor was", () => {
    const list = listOf(KEYS);
    const fromCursor = extendTo(emptySelection(), list, 2, 4);
    expect(sorted(fromCursor)).toEqual(["c", "d", "e"]);
    expect(fromCursor.anchor).toBe("c");
    // Going back past the anchor flips the run.
    const back = extendTo(fromCursor, list, 4, 0);
    expect(sorted(back)).toEqual(["a", "b", "c"]);
  });
});

describe("what an action applies to", () => {
  it("the selection in list order, or else the tile under the cursor", () => {
    const list = listOf(KEYS);
    const s = clickSelect(clickSelect(emptySelection(), list, "f", ctrl), list, "b", ctrl);
    expect(targets(s, list, "d")).toEqual(["b", "f"]);
    expect(targets(emptySelection(), list, "d")).toEqual(["d"]);
    expect(targets(emptySelection(), list, null)).toEqual([]);
    expect(targets(emptySelection(), list, "gone")).toEqual([]);
  });

  it("after the list changes, keys that left it leave the selection (and the anchor with them)", () => {
    const s = clickSelect(clickSelect(emptySelection(), listOf(KEYS), "b", ctrl), listOf(KEYS), "e", ctrl);
    const after = keepExisting(s, listOf(["a", "b", "c"]));
    expect(sorted(after)).toEqual(["b"]);
    expect(after.anchor).toBeNull();
    const same = keepExisting(s, listOf(KEYS));
    expect(same).toBe(s);
  });
});
