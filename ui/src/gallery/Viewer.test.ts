// The viewer over the fake backend's library: ←/→ walk the list, F favourites, Esc closes,
// and keys still reach it when nothing has focus (after a notice was dismissed).
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { installFakeBackend, makeTask } from "../testing/fakeBackend";
import { makeItem } from "../testing/fakeGallery";
import { FAST, testStudio } from "../testing/studio";
import Viewer from "./Viewer.svelte";

async function openViewer() {
  const backend = installFakeBackend();
  const entries = [0, 1, 2].map((i) =>
    makeItem(makeTask({ prompt: `Picture ${i}`, created_at: new Date(Date.now() - i * 60_000).toISOString() })),
  );
  backend.gallery.entries.push(...entries);
  const studio = testStudio({ timings: FAST });
  studio.start();
  await vi.waitFor(() => expect(studio.tasks.loaded).toBe(true));
  const keys = await studio.gallery.show([entries[1].tile.key]);
  studio.viewer.open(studio.gallery.sequence, keys[0]);
  render(Viewer, { studio });
  await screen.findByTestId("viewer-panel");
  return { backend, studio, keys: entries.map((e) => e.tile.key) };
}

describe("the viewer's keyboard", () => {
  it("←/→ step through the list and F favourites the shown item", async () => {
    const { studio, keys } = await openViewer();
    const viewer = screen.getByTestId("viewer");
    expect(screen.getByTestId("viewer-position")).toHaveTextContent("2 of 3");
    await fireEvent.keyDown(viewer, { key: "ArrowRight" });
    expect(studio.viewer.key).toBe(keys[2]);
    await fireEvent.keyDown(viewer, { key: "ArrowRight" });
    expect(studio.viewer.key).toBe(keys[2]);
    await fireEvent.keyDown(viewer, { key: "ArrowLeft" });
    await fireEvent.keyDown(viewer, { key: "ArrowLeft" });
    expect(studio.viewer.key).toBe(keys[0]);
    await fireEvent.keyDown(viewer, { key: "f" });
    await waitFor(() => expect(screen.getByTestId("viewer-favourite")).toHaveAttribute("aria-pressed", "true"));
  });

  it("Esc closes it, also when focus was lost to the page's body", async () => {
    const { studio } = await openViewer();
    (document.activeElement as HTMLElement | null)?.blur();
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(studio.viewer.isOpen).toBe(false);
  });
});
