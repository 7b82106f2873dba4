import { tick } from "svelte";
import type { Sequence } from "./selection";

/**
 * The viewer (lightbox): which list it walks with ←/→ and which key it shows. The
 * Gallery opens it on its whole filtered list; Activity and Create on one task's outputs.
 * When the shown item leaves the list (deleted), the viewer moves to the one that took
 * its place, and closes when nothing is left.
 */
export class ViewerStore {
  list = $state.raw<Sequence | null>(null);
  key = $state<string | null>(null);
  #lastIndex = 0;
  #trigger: HTMLElement | null = null;

  get isOpen(): boolean {
    return this.key !== null && this.list !== null;
  }

  /** The position of the shown key in its list, or -1. */
  get index(): number {
    return this.key === null || !this.list ? -1 : this.list.indexOf(this.key);
  }

  open(list: Sequence, key: string, trigger: HTMLElement | null = null): void {
    this.list = list;
    this.key = key;
    this.#lastIndex = Math.max(0, list.indexOf(key));
    this.#trigger = trigger ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
  }

  close(): void {
    this.key = null;
    this.list = null;
    const trigger = this.#trigger;
    this.#trigger = null;
    // Focus goes back where the viewer was opened from (if it is still on the page), once
    // the viewer's modal dialog is gone: until then the rest of the page is inert.
    void tick().then(() => {
      if (trigger?.isConnected) trigger.focus();
    });
  }

  step(delta: number): void {
    const list = this.list;
    if (!list || list.count === 0) return;
    const at = this.index < 0 ? this.#lastIndex : this.index;
    const next = Math.min(list.count - 1, Math.max(0, at + delta));
    this.#lastIndex = next;
    this.key = list.keyAt(next);
  }

  /** Keeps the viewer on an item that is still in its list. */
  settle(): void {
    const list = this.list;
    if (!list || this.key === null) return;
    const at = list.indexOf(this.key);
    if (at >= 0) {
      this.#lastIndex = at;
      return;
    }
    if (list.count === 0) this.close();
    else this.key = list.keyAt(Math.min(this.#lastIndex, list.count - 1));
  }
}

/** A fixed list of keys (one task's outputs) that leaves out what `gone` says was deleted. */
export function keyList(keys: string[], gone: { has(key: string): boolean }): Sequence {
  const live = () => keys.filter((k) => !gone.has(k));
  return {
    get count() {
      return live().length;
    },
    keyAt: (i) => live()[i] ?? "",
    indexOf: (key) => live().indexOf(key),
  };
}
