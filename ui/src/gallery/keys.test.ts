// The gallery's and the viewer's keyboard maps: arrows, Enter, Esc, Delete, F, Ctrl/Cmd+S,
// Ctrl/Cmd+A; typing in a field is never a shortcut.
import { describe, expect, it } from "vitest";
import { gridAction, inTextField, viewerAction } from "./keys";

const press = (key: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe("the grid's keys", () => {
  it("arrows, Home/End and PageUp/PageDown move the cursor; with Shift they extend the selection", () => {
    expect(gridAction(press("ArrowLeft"))).toEqual({ type: "move", to: "left", extend: false });
    expect(gridAction(press("ArrowRight"))).toEqual({ type: "move", to: "right", extend: false });
    expect(gridAction(press("ArrowUp"))).toEqual({ type: "move", to: "up", extend: false });
    expect(gridAction(press("ArrowDown", { shiftKey: true }))).toEqual({ type: "move", to: "down", extend: true });
    expect(gridAction(press("End"))).toEqual({ type: "move", to: "end", extend: false });
    expect(gridAction(press("PageDown"))).toEqual({ type: "move", to: "pageDown", extend: false });
  });

  it("Enter opens, Esc clears, Delete and Backspace delete, F favourites, Space toggles", () => {
    expect(gridAction(press("Enter"))).toEqual({ type: "open" });
    expect(gridAction(press("Escape"))).toEqual({ type: "clear" });
    expect(gridAction(press("Delete"))).toEqual({ type: "delete" });
    expect(gridAction(press("Backspace"))).toEqual({ type: "delete" });
    expect(gridAction(press("f"))).toEqual({ type: "favourite" });
    expect(gridAction(press("F"))).toEqual({ type: "favourite" });
    expect(gridAction(press(" "))).toEqual({ type: "toggle" });
  });

  it("Ctrl+A / Cmd+A select all and Ctrl+S / Cmd+S save, whatever the letter's case", () => {
    expect(gridAction(press("a", { ctrlKey: true }))).toEqual({ type: "selectAll" });
    expect(gridAction(press("A", { metaKey: true }))).toEqual({ type: "selectAll" });
    expect(gridAction(press("s", { ctrlKey: true }))).toEqual({ type: "save" });
    expect(gridAction(press("s", { metaKey: true }))).toEqual({ type: "save" });
  });

  it("other combinations are left to the page", () => {
    expect(gridAction(press("a"))).toBeNull();
    expect(gridAction(press("s"))).toBeNull();
    expect(gridAction(press("f", { ctrlKey: true }))).toBeNull();
    expect(gridAction(press("ArrowLeft", { altKey: true }))).toBeNull();
    expect(gridAction(press("a", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(gridAction(press("F", { shiftKey: true }))).toBeNull();
  });
});

describe("the viewer's keys", () => {
  it("←/→ step, Esc closes, Delete deletes, F favourites, Ctrl/Cmd+S saves, +/-/0 zoom", () => {
    expect(viewerAction(press("ArrowLeft"))).toEqual({ type: "previous" });
    expect(viewerAction(press("ArrowRight"))).toEqual({ type: "next" });
    expect(viewerAction(press("Escape"))).toEqual({ type: "close" });
    expect(viewerAction(press("Delete"))).toEqual({ type: "delete" });
    expect(viewerAction(press("f"))).toEqual({ type: "favourite" });
    expect(viewerAction(press("s", { metaKey: true }))).toEqual({ type: "save" });
    expect(viewerAction(press("+"))).toEqual({ type: "zoomIn" });
    expect(viewerAction(press("-"))).toEqual({ type: "zoomOut" });
    expect(viewerAction(press("0"))).toEqual({ type: "zoomReset" });
  });

  it("modified arrows and Escape are not the viewer's", () => {
    expect(viewerAction(press("ArrowLeft", { ctrlKey: true }))).toBeNull();
    expect(viewerAction(press("Escape", { altKey: true }))).toBeNull();
    expect(viewerAction(press("s"))).toBeNull();
  });
});

describe("typing", () => {
  // (jsdom has no isContentEditable, so editable elements are checked in the window only.)
  it("inputs, text areas and selects are text fields; the grid is not", () => {
    expect(inTextField(document.createElement("input"))).toBe(true);
    expect(inTextField(document.createElement("textarea"))).toBe(true);
    expect(inTextField(document.createElement("select"))).toBe(true);
    expect(inTextField(document.createElement("div"))).toBe(false);
    expect(inTextField(null)).toBe(false);
  });
});
