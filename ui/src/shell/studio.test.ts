// The studio is the one place that wires the stores to each other: what it wires, its
// dispose() removes, so a studio that is gone is told nothing more.
import { describe, expect, it, vi } from "vitest";
import { installFakeBackend } from "../testing/fakeBackend";
import { startStudio } from "../testing/studio";
import { Listeners } from "../lib/listeners";
import { keychainFailures, IpcError } from "../lib/ipc";

/** Counts the listeners added through any `Listeners` and not removed since. */
function countListeners() {
  const live = new Set<() => void>();
  const add = Listeners.prototype.add;
  const spy = vi.spyOn(Listeners.prototype, "add").mockImplementation(function (this: Listeners<unknown>, callback) {
    const remove = add.call(this, callback);
    const tracked = () => {
      live.delete(tracked);
      return remove();
    };
    live.add(tracked);
    return tracked;
  });
  return { live, restore: () => spy.mockRestore() };
}

describe("Studio", () => {
  it("removes every listener it wired when disposed", async () => {
    installFakeBackend();
    const listeners = countListeners();
    try {
      const studio = await startStudio();
      // Nine today: keychain failures; the active profile; balances, charge changes, events and
      // the connection from the tasks; the draft; the catalogue; the balance to the compose store.
      expect(listeners.live.size).toBeGreaterThanOrEqual(9);
      studio.dispose();
      expect(listeners.live.size).toBe(0);
    } finally {
      listeners.restore();
    }
  });

  it("a disposed studio no longer hears the stores it wired", async () => {
    const backend = installFakeBackend();
    backend.keys.set("p7", "sk-remote-0000007777");
    const studio = await startStudio({ saveMs: 10_000, checkMs: 0, quoteMs: 0 });
    const balance = studio.app.balance?.remaining_credits;
    studio.drafts.edit((d) => (d.prompt = "not saved by a switch"));
    studio.dispose();

    // The tracker's balance event reached the app store through the wiring; it is gone.
    studio.tasks.apply({ type: "balance", profile_id: "sandbox", remaining_credits: 3 });
    expect(studio.app.balance?.remaining_credits).toBe(balance);

    // A keychain failure made the app store read the state again; it no longer does.
    const reads = () => backend.calls.filter((c) => c.cmd === "app_state").length;
    const before = reads();
    keychainFailures.emit(new IpcError({ kind: "keychain", code: null, message: "locked", detail: null }));
    expect(reads()).toBe(before);

    // The draft was flushed before a switch, and the new profile's tasks subscribed.
    const subscriptions = () => backend.calls.filter((c) => c.cmd === "subscribe_tasks").length;
    const subscribed = subscriptions();
    await studio.app.switchTo("p7");
    expect(backend.calls.some((c) => c.cmd === "save_draft")).toBe(false);
    expect(subscriptions()).toBe(subscribed);
  });
});
