// Delivers messages to a page's `Channel` the way Tauri does: through the window's
// callback table with a running index, so the Channel's own ordering logic is exercised.
import type { Channel } from "@tauri-apps/api/core";

type Internals = { runCallback: (id: number, data: unknown) => void };
const nextIndex = new WeakMap<object, number>();

/** A channel as the fake backend receives it in a payload. */
export type AnyChannel = Channel<unknown>;

export function isChannel(value: unknown): value is AnyChannel {
  return typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "number";
}

/** Sends `message` as the channel's next message; `index` overrides the order (to test reordering). */
export function send(channel: AnyChannel, message: unknown, index?: number): void {
  const at = index ?? nextIndex.get(channel) ?? 0;
  if (index === undefined) nextIndex.set(channel, at + 1);
  const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
  internals.runCallback(channel.id, { index: at, message });
}
