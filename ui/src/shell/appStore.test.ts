import { describe, expect, it, vi } from "vitest";
import { installFakeBackend } from "../testing/fakeBackend";
import { AppStore } from "./appStore.svelte";

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
});
