import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emptyDraft, installFakeBackend } from "../testing/fakeBackend";
import { testStudio } from "../testing/studio";
import { call } from "../lib/ipc";
import Shell from "../shell/Shell.svelte";
import { DraftStore } from "./draftStore.svelte";

const saves = (backend: ReturnType<typeof installFakeBackend>) => backend.calls.filter((c) => c.cmd === "save_draft");

describe("DraftStore", () => {
  it("saves once after edits settle, with the last state", async () => {
    vi.useFakeTimers();
    try {
      const backend = installFakeBackend();
      const store = new DraftStore(40);
      await store.load();
      store.edit((d) => (d.prompt = "A"));
      await vi.advanceTimersByTimeAsync(30);
      store.edit((d) => (d.prompt = "AB"));
      store.setOption("resolution", "2K");
      // Each edit restarts the quiet time: 30 ms after the first, 39 after the last, no save.
      await vi.advanceTimersByTimeAsync(39);
      expect(saves(backend)).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(saves(backend)).toHaveLength(1);
      // Nothing else is scheduled: no second save can follow.
      expect(vi.getTimerCount()).toBe(0);
      expect(backend.drafts.get("sandbox")).toMatchObject({ prompt: "AB", options: { resolution: "2K" } });
    } finally {
      vi.useRealTimers();
    }
  });

  it("saves at once on flush, and not again afterwards", async () => {
    const backend = installFakeBackend();
    const store = new DraftStore(10_000);
    await store.load();
    store.edit((d) => (d.prompt = "now"));
    await store.flush();
    expect(saves(backend)).toHaveLength(1);
    expect(backend.drafts.get("sandbox")?.prompt).toBe("now");
    await store.flush();
    expect(saves(backend)).toHaveLength(1);
  });

  it("keeps Batch within 1–8 when a saved draft says otherwise", async () => {
    const backend = installFakeBackend();
    backend.drafts.set("sandbox", { ...emptyDraft(), batch: 40 });
    const store = new DraftStore();
    await store.load();
    expect(store.draft.batch).toBe(8);
  });
});

describe("the draft in the app", () => {
  it("survives leaving Create and coming back: the store outlives the page", async () => {
    const backend = installFakeBackend();
    const studio = testStudio();
    const user = userEvent.setup();
    render(Shell, { studio });
    const first = await screen.findByTestId("prompt");
    await waitFor(() => expect(first).toHaveFocus());
    await user.type(first, "A red fox");
    await user.click(screen.getByTestId("nav-activity"));
    // Leaving Create saves at once instead of waiting for the debounce.
    await waitFor(() => expect(backend.drafts.get("sandbox")?.prompt).toBe("A red fox"));
    expect(screen.queryByTestId("prompt")).toBeNull();
    await user.click(screen.getByTestId("nav-create"));
    const again = await screen.findByTestId("prompt");
    expect(again).not.toBe(first);
    expect(again).toHaveValue("A red fox");
  });

  it("saves to the old profile before a switch and shows the new profile's draft", async () => {
    const backend = installFakeBackend();
    backend.accounts.set("sk-live-0123456789abcdef", 50);
    const other = await call("add_profile", {
      args: { name: "Prod", base_url: "https://api.example.com", api_key: "sk-live-0123456789abcdef" },
    });
    backend.drafts.set(other.id, { ...emptyDraft(), model: "sora-2", prompt: "Waves at night" });
    const studio = testStudio({ timings: { saveMs: 10_000, checkMs: 0, quoteMs: 0 } });
    const user = userEvent.setup();
    render(Shell, { studio });
    const prompt = await screen.findByTestId("prompt");
    await user.type(prompt, "Sandbox idea");
    expect(saves(backend)).toHaveLength(0);

    await user.selectOptions(screen.getByTestId("profile-switcher"), "Prod");
    await waitFor(() => expect(screen.getByTestId("prompt")).toHaveValue("Waves at night"));
    expect(screen.getByTestId("model-picker")).toHaveValue("sora-2");
    expect(backend.drafts.get("sandbox")?.prompt).toBe("Sandbox idea");
    const saved = saves(backend);
    expect(saved).toHaveLength(1);
    // The save happened before switch_profile was called.
    const order = backend.calls.map((c) => c.cmd);
    expect(order.indexOf("save_draft")).toBeLessThan(order.indexOf("switch_profile"));
  });
});
