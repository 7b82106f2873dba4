import { call } from "../lib/ipc";
import type { ReferenceMedia } from "../lib/bindings/ReferenceMedia";

/** One gallery item being dragged. */
export interface DraggedItem {
  key: string;
  media: string;
  name: string;
  thumb: string | null;
}

export interface ItemDragHooks {
  /** Dropped on a reference slot of Create: a sentence when it cannot go there. */
  drop(items: DraggedItem[], slot: string): string | null;
  /** Hovering a page's entry in the sidebar long enough opens the page. */
  openPage(page: string): void;
  /** Why dragging out of the window failed, for the user. */
  outFailed(message: string): void;
}

/** Movement before a press becomes a drag, so a click stays a click. */
const THRESHOLD_PX = 6;
/** Hovering Create in the sidebar this long opens it, as in a file manager's spring-loaded folders. */
const SPRING_MS = 500;

export const referenceMedia = (media: string): ReferenceMedia | null =>
  media === "image" || media === "video" ? media : null;

/**
 * Dragging gallery items inside the window with pointer events (HTML5 drag events and the
 * window's native file drop conflict on Windows): onto a reference slot in Create
 * (elements with `data-drop-slot`), or over the sidebar's Create entry to open it. When the
 * pointer leaves the window while dragging, the OS takes over (`drag_items_out`): that is
 * the drag's start as far as other apps are concerned, so the file manager receives files.
 */
export class ItemDragStore {
  /** The drag in progress (after the threshold), with where the pointer is. */
  active = $state<{ items: DraggedItem[]; x: number; y: number } | null>(null);
  /** The slot under the pointer, and whether it takes what is dragged. */
  over = $state<{ slot: string; accepts: boolean } | null>(null);
  /** The sidebar entry under the pointer. */
  overPage = $state<string | null>(null);

  #cleanup: (() => void) | null = null;
  #springTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly hooks: ItemDragHooks) {}

  /** A press on a draggable item: becomes a drag once the pointer moves far enough. */
  press(event: PointerEvent, items: () => DraggedItem[]): void {
    if (event.button !== 0 || event.pointerType === "touch") return;
    this.#end();
    const startX = event.clientX;
    const startY = event.clientY;
    let dragged: DraggedItem[] | null = null;

    const move = (e: PointerEvent) => {
      if (!dragged) {
        if (Math.hypot(e.clientX - startX, e.clientY - startY) < THRESHOLD_PX) return;
        dragged = items();
        if (dragged.length === 0) return this.#end();
      }
      e.preventDefault();
      if (outside(e)) {
        const keys = dragged.map((d) => d.key);
        this.#end();
        swallowClick();
        call("drag_items_out", { args: { keys } }).catch((error: unknown) =>
          this.hooks.outFailed(error instanceof Error ? error.message : String(error)),
        );
        return;
      }
      this.active = { items: dragged, x: e.clientX, y: e.clientY };
      this.#hover(e.clientX, e.clientY, dragged);
    };
    const up = () => {
      const over = this.over;
      const items = dragged;
      this.#end();
      if (!items) return;
      swallowClick();
      if (over) {
        const problem = this.hooks.drop(items, over.slot);
        if (problem) this.hooks.outFailed(problem);
      }
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape" && dragged) {
        e.preventDefault();
        e.stopPropagation();
        this.#end();
      }
    };
    const leave = (e: MouseEvent) => {
      // The pointer left the window (an X11 grab may stop reporting moves outside it).
      if (dragged && e.relatedTarget === null) move(e as PointerEvent);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", up);
    window.addEventListener("keydown", key, true);
    document.documentElement.addEventListener("mouseleave", leave);
    this.#cleanup = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      window.removeEventListener("pointercancel", up);
      window.removeEventListener("keydown", key, true);
      document.documentElement.removeEventListener("mouseleave", leave);
    };
  }

  #hover(x: number, y: number, items: DraggedItem[]): void {
    const under = document.elementFromPoint(x, y);
    const slot = under?.closest<HTMLElement>("[data-drop-slot]");
    if (slot) {
      const media = slot.dataset.dropMedia;
      this.over = { slot: slot.dataset.dropSlot!, accepts: items.every((i) => i.media === media) };
    } else {
      this.over = null;
    }
    const page = under?.closest<HTMLElement>("[data-drop-page]")?.dataset.dropPage ?? null;
    if (page !== this.overPage) {
      this.overPage = page;
      if (this.#springTimer) clearTimeout(this.#springTimer);
      this.#springTimer = page ? setTimeout(() => this.hooks.openPage(page), SPRING_MS) : null;
    }
  }

  #end(): void {
    this.#cleanup?.();
    this.#cleanup = null;
    if (this.#springTimer) clearTimeout(this.#springTimer);
    this.#springTimer = null;
    this.active = null;
    this.over = null;
    this.overPage = null;
  }
}

const outside = (e: MouseEvent) => e.clientX < 0 || e.clientY < 0 || e.clientX >= window.innerWidth || e.clientY >= window.innerHeight;

/** The click that ends a drag is not a click on the tile it started from. */
function swallowClick(): void {
  const swallow = (e: MouseEvent) => {
    e.stopPropagation();
    e.preventDefault();
  };
  window.addEventListener("click", swallow, { capture: true, once: true });
  setTimeout(() => window.removeEventListener("click", swallow, { capture: true }), 0);
}
