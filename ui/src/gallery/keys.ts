// The gallery's and the viewer's keyboard, as data: which key does what. The page
// applies the action; tests check the mapping without a DOM.

export type GridAction =
  | { type: "move"; to: "left" | "right" | "up" | "down" | "home" | "end" | "pageUp" | "pageDown"; extend: boolean }
  | { type: "open" }
  | { type: "toggle" }
  | { type: "selectAll" }
  | { type: "clear" }
  | { type: "delete" }
  | { type: "favourite" }
  | { type: "save" };

export type ViewerAction =
  | { type: "previous" }
  | { type: "next" }
  | { type: "close" }
  | { type: "delete" }
  | { type: "favourite" }
  | { type: "save" }
  | { type: "zoomIn" }
  | { type: "zoomOut" }
  | { type: "zoomReset" };

interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const command = (e: KeyLike) => (e.ctrlKey || e.metaKey) && !e.altKey;
const plain = (e: KeyLike) => !e.ctrlKey && !e.metaKey && !e.altKey;

const MOVES: Record<string, Extract<GridAction, { type: "move" }>["to"]> = {
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
  Home: "home",
  End: "end",
  PageUp: "pageUp",
  PageDown: "pageDown",
};

/** The grid's action for a key press, or null (the key is left to the page). */
export function gridAction(event: KeyLike): GridAction | null {
  const key = event.key;
  if (command(event) && key.toLowerCase() === "a") return { type: "selectAll" };
  if (command(event) && key.toLowerCase() === "s") return { type: "save" };
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  if (key in MOVES) return { type: "move", to: MOVES[key], extend: event.shiftKey };
  if (key === "Enter") return { type: "open" };
  if (key === " ") return { type: "toggle" };
  if (key === "Escape") return { type: "clear" };
  if (key === "Delete" || key === "Backspace") return { type: "delete" };
  if (key.toLowerCase() === "f" && !event.shiftKey) return { type: "favourite" };
  return null;
}

/** The viewer's action for a key press, or null. */
export function viewerAction(event: KeyLike): ViewerAction | null {
  const key = event.key;
  if (command(event) && key.toLowerCase() === "s") return { type: "save" };
  if (!plain(event)) return null;
  switch (key) {
    case "ArrowLeft":
      return { type: "previous" };
    case "ArrowRight":
      return { type: "next" };
    case "Escape":
      return { type: "close" };
    case "Delete":
    case "Backspace":
      return { type: "delete" };
    case "+":
    case "=":
      return { type: "zoomIn" };
    case "-":
      return { type: "zoomOut" };
    case "0":
      return { type: "zoomReset" };
  }
  if (key.toLowerCase() === "f" && !event.shiftKey) return { type: "favourite" };
  return null;
}

/** Typing in a field is never a shortcut. */
export const inTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
