import { afterEach, describe, expect, it, vi } from "vitest";
import { installFakeBackend } from "../testing/fakeBackend";
import { AppStore, BALANCE_REFRESH_MS } from "./appStore.svelte";

describe("AppStore", () => {
  it("reloads the page when the active profile's host changes, so the CSP follows it", async () => {
    const backend = installFakeBackend();
    backend.keys.set("p7", "sk-remote-0000007777");
    backend.mediaOrigins.set("p7", "https://api.example.com");
    const reload = vi.fn();
    const store = new AppStore(reload);
    await store.load();
    expect(store.state?.media_origin).toBeNull();
    await store.switchTo("sandbox");
    expect(reload).not.toHaveBeenCalled();
    await store.switchTo("p7");
    expect(reload).toHaveBeenCalledOnce();
  });

  it("shows the balance error sentence as the API gave it", async () => {
    const backend = installFakeBackend();
    backend.accounts.clear();
    const store = new AppStore(vi.fn());
    await store.load();
    await vi.waitFor(() => expect(store.balanceError).not.toBeNull());
    expect(store.balanceError?.code).toBe("invalid_api_key");
    expect(store.balanceError?.message).toBe("The API key was rejected by 127.0.0.1. Check it in Settings.");
  });

  describe("the balance's refreshes", () => {
    afterEach(() => {
      vi.useRealTimers();
      Reflect.deleteProperty(document, "visibilityState");
    });
    const setVisibility = (state: DocumentVisibilityState) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
    };

    it("come every 60 s while the window is visible, none while hidden, and at once on focus or return", async () => {
      vi.useFakeTimers();
      const backend = installFakeBackend();
      const store = new AppStore(vi.fn());
      await store.load();
      await vi.advanceTimersByTimeAsync(10);
      const reads = () => backend.calls.filter((c) => c.cmd === "active_balance").length;
      const initial = reads();
      expect(BALANCE_REFRESH_MS).toBe(60_000);
      setVisibility("visible");
      const stop = store.watchBalance();

      await vi.advanceTimersByTimeAsync(59_000);
      expect(reads()).toBe(initial);
      backend.accounts.set("sk-sandbox-f00d", 432);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(reads()).toBe(initial + 1);
      expect(store.balance?.remaining_credits).toBe(432);

      setVisibility("hidden");
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(reads()).toBe(initial + 1);

      setVisibility("visible");
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(initial + 2);
      // Focus right after becoming visible is the same moment: one read for both.
      window.dispatchEvent(new Event("focus"));
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(initial + 2);
      await vi.advanceTimersByTimeAsync(5_000);
      window.dispatchEvent(new Event("focus"));
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(initial + 3);

      stop();
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      window.dispatchEvent(new Event("focus"));
      expect(reads()).toBe(initial + 3);
    });
  });
});
