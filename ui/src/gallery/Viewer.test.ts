// The viewer over the fake backend's library: ←/→ walk the list, F favourites, Esc closes,
// and keys still reach it when nothing has focus (after a notice was dismissed); a download
// that failed is worded as its gallery tile words it.
import { describe, expect, it, vi } from "vitest";
import type { GalleryTile as GalleryTileView } from "../lib/bindings/GalleryTile";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { installFakeBackend, makeTask } from "../testing/fakeBackend";
import { makeItem } from "../testing/fakeGallery";
import { FAST, testStudio } from "../testing/studio";
import GalleryTile from "./GalleryTile.svelte";
import Viewer from "./Viewer.svelte";

async function openViewer(tile: Partial<GalleryTileView> = {}) {
  const backend = installFakeBackend();
  const entries = [0, 1, 2].map((i) =>
    makeItem(makeTask({ prompt: `Picture ${i}`, created_at: new Date(Date.now() - i * 60_000).toISOString() }), tile),
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

  it("Esc closes Run again first, then the viewer, and focus goes back to what opened it", async () => {
    const opener = document.body.appendChild(document.createElement("button"));
    opener.focus();
    const { studio } = await openViewer();
    // openViewer opened it from the focused element.
    await waitFor(() => expect(screen.getByTestId("viewer")).toHaveFocus());
    await fireEvent.click(screen.getByTestId("viewer-run-again"));
    const dialog = await screen.findByTestId("run-again-confirm");
    // WebKitGTK would leave the viewer under it interactive: it is made inert by hand.
    const isInert = () => (screen.getByTestId("viewer") as HTMLElement & { inert: boolean }).inert;
    expect(isInert()).toBe(true);
    await fireEvent.keyDown(within(dialog).getByTestId("run-again-no"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("run-again-confirm")).toBeNull());
    expect(studio.viewer.isOpen).toBe(true);
    expect(isInert()).toBe(false);
    await waitFor(() => expect(screen.getByTestId("viewer")).toHaveFocus());
    await fireEvent.keyDown(screen.getByTestId("viewer"), { key: "Escape" });
    expect(studio.viewer.isOpen).toBe(false);
    await waitFor(() => expect(opener).toHaveFocus());
    opener.remove();
  });

  it("Esc closes it, also when focus was lost to the page's body", async () => {
    const { studio } = await openViewer();
    (document.activeElement as HTMLElement | null)?.blur();
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(studio.viewer.isOpen).toBe(false);
  });
});

describe("the viewer's states", () => {
  for (const [state, words] of [
    ["download_failed", "Download failed"],
    ["missing", "File missing"],
  ] as const) {
    it(`says "${words}" for a ${state} item, as its tile does, and offers Retry`, async () => {
      const { studio, keys } = await openViewer({ state, thumb: false });
      expect(screen.getByTestId("viewer-state").querySelector("strong")).toHaveTextContent(words);
      expect(screen.getByTestId("viewer-retry")).toBeEnabled();

      const record = studio.gallery.records.get(keys[1])!;
      const noop = () => undefined;
      render(GalleryTile, {
        tile: record.tile,
        record,
        thumbUrl: null,
        size: 200,
        selected: false,
        selecting: false,
        cursor: false,
        playing: false,
        download: undefined,
        onopen: noop,
        ontoggle: noop,
        onretry: noop,
        onpress: noop,
        onhover: noop,
      });
      expect(screen.getByTestId("tile-state").querySelector("strong")).toHaveTextContent(words);
    });
  }
});
