// The Gallery page over the fake backend's library: what filters and search show, the
// empty and no-match states, click and Shift+click selection, and the grid's keyboard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { vi } from "vitest";
import { installFakeBackend, makeTask, type FakeBackend } from "../testing/fakeBackend";
import { daysAgo, makeItem, makeTaskTile, type LibraryEntry } from "../testing/fakeGallery";
import { FAST, testStudio } from "../testing/studio";
import type { GalleryFilter } from "../lib/bindings/GalleryFilter";
import { GalleryStore } from "./galleryStore.svelte";
import GalleryPage from "./GalleryPage.svelte";

// jsdom lays nothing out: the grid's scroller gets a fixed size (900 × 600: five columns of
// 168 px tiles, three rows on screen) and a ResizeObserver that reports it, so the virtual
// list draws its first rows as it would in the window.
const SIZES: Record<string, number> = { clientWidth: 900, offsetWidth: 900, clientHeight: 600, offsetHeight: 600 };
const saved = new Map<string, PropertyDescriptor | undefined>();
beforeAll(() => {
  for (const [name, value] of Object.entries(SIZES)) {
    saved.set(name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name));
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return this.dataset?.testid === "gallery-grid" ? value : 0;
      },
    });
  }
  globalThis.ResizeObserver = class {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      const el = target as HTMLElement;
      const entry = {
        target,
        contentRect: { width: el.clientWidth, height: el.clientHeight },
        borderBoxSize: [{ inlineSize: el.offsetWidth, blockSize: el.offsetHeight }],
        contentBoxSize: [{ inlineSize: el.clientWidth, blockSize: el.clientHeight }],
      } as unknown as ResizeObserverEntry;
      queueMicrotask(() => this.callback([entry], this as unknown as ResizeObserver));
    }
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});
afterAll(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
  }
  delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
});

async function openGallery(setup: (backend: FakeBackend) => void = () => undefined) {
  const backend = installFakeBackend();
  setup(backend);
  // No debounce: the list is queried as soon as a filter or the search changes.
  const gallery = new GalleryStore({ requeryMs: 0, searchMs: 0, noticeMs: 5000 });
  const studio = testStudio({ timings: FAST, gallery });
  studio.start();
  await vi.waitFor(() => expect(studio.tasks.loaded).toBe(true));
  render(GalleryPage, { studio });
  await waitFor(() => expect(studio.gallery.loaded).toBe(true));
  return { backend, studio, user: userEvent.setup() };
}

const at = (days: number, minutes = 0) => new Date(daysAgo(days) - minutes * 60_000).toISOString();

/** A small library: three days of images and videos, a favourite, and a failed task. */
function library(backend: FakeBackend): Record<string, LibraryEntry> {
  const entry = (prompt: string, model: string, media: string, created: string, favourite = false) =>
    makeItem(makeTask({ prompt, model, media_type: media, created_at: created }), { favourite });
  const l = {
    lighthouse: entry("A lighthouse at dusk", "nano-banana-pro", "image", at(0, 10), true),
    lighthouses: entry("Two Lighthouses in the fog", "seedream-4", "image", at(0, 20)),
    city: entry("Night city lights", "nano-banana-pro", "image", at(0, 30)),
    waves: entry("Waves on rocks", "veo-3.1-fast", "video", at(1)),
    fox: entry("A red fox in the snow", "nano-banana-pro", "image", at(10)),
    storm: entry("Storm over the lighthouse", "veo-3.1-fast", "video", at(40)),
    failed: makeTaskTile(makeTask({ prompt: "Broken", model: "nano-banana-pro", state: "failed", status: "failed", created_at: at(0, 5) })),
  };
  backend.gallery.entries.push(...Object.values(l));
  return l;
}

const keyOf = (e: LibraryEntry) => e.tile.key;
const lastFilter = (backend: FakeBackend) =>
  (backend.calls.filter((c) => c.cmd === "gallery_index").pop()!.args as unknown as { filter: GalleryFilter }).filter;

const tiles = () => screen.queryAllByTestId("gallery-tile").map((t) => t.dataset.key);

describe("the Gallery's states", () => {
  it("an empty library says how to make the first output", async () => {
    const { studio, user } = await openGallery();
    expect(screen.getByTestId("gallery-empty")).toHaveTextContent("No outputs yet");
    await user.click(screen.getByTestId("gallery-go-create"));
    expect(studio.page).toBe("create");
  });

  it("lists the library newest first, grouped by day, with failed tasks as tiles", async () => {
    let l: Record<string, LibraryEntry> = {};
    await openGallery((b) => (l = library(b)));
    expect(tiles()).toEqual([l.failed, l.lighthouse, l.lighthouses, l.city, l.waves, l.fox, l.storm].map(keyOf));
    expect(screen.getAllByTestId("gallery-day")).toHaveLength(4);
    expect(screen.getByTestId("gallery-count")).toHaveTextContent("7 items");
    const failed = document.getElementById(`tile-${keyOf(l.failed)}`)!;
    expect(failed).toHaveAttribute("data-state", "failed");
  });
});

describe("filters and search", () => {
  it("search matches every typed word as a word prefix of the prompt, in any case", async () => {
    let l: Record<string, LibraryEntry> = {};
    const { backend, user } = await openGallery((b) => (l = library(b)));
    await user.type(screen.getByTestId("gallery-search"), "LIGHTHOUSE");
    await waitFor(() => expect(tiles()).toEqual([l.lighthouse, l.lighthouses, l.storm].map(keyOf)));
    expect(lastFilter(backend).search).toBe("LIGHTHOUSE");
    await user.type(screen.getByTestId("gallery-search"), " fog");
    await waitFor(() => expect(tiles()).toEqual([keyOf(l.lighthouses)]));
    // Esc in the box clears the search: everything is back.
    await user.keyboard("{Escape}");
    await waitFor(() => expect(tiles()).toHaveLength(7));
  });

  it("media type, model and favourites each narrow the list; Clear filters brings it all back", async () => {
    let l: Record<string, LibraryEntry> = {};
    const { backend, user } = await openGallery((b) => (l = library(b)));
    await user.click(screen.getByTestId("filter-media-video"));
    await waitFor(() => expect(tiles()).toEqual([l.waves, l.storm].map(keyOf)));
    expect(lastFilter(backend).media).toEqual(["video"]);

    await user.click(screen.getByTestId("filter-media-all"));
    await waitFor(() => expect(screen.getByTestId("filter-model")).toHaveTextContent("seedream-4"));
    await user.selectOptions(screen.getByTestId("filter-model"), "nano-banana-pro");
    await waitFor(() => expect(tiles()).toEqual([l.failed, l.lighthouse, l.city, l.fox].map(keyOf)));

    await user.click(screen.getByTestId("filter-favourites"));
    await waitFor(() => expect(tiles()).toEqual([keyOf(l.lighthouse)]));
    expect(lastFilter(backend)).toMatchObject({ models: ["nano-banana-pro"], favourites: true, media: [] });

    await user.click(screen.getByTestId("filter-clear"));
    await waitFor(() => expect(tiles()).toHaveLength(7));
  });

  it("date presets start at a local midnight; older items leave the list", async () => {
    let l: Record<string, LibraryEntry> = {};
    const { backend, user } = await openGallery((b) => (l = library(b)));
    await user.selectOptions(screen.getByTestId("filter-date"), "7");
    await waitFor(() => expect(tiles()).toEqual([l.failed, l.lighthouse, l.lighthouses, l.city, l.waves].map(keyOf)));
    const from = new Date(lastFilter(backend).from_ms!);
    expect([from.getHours(), from.getMinutes()]).toEqual([0, 0]);
    expect(lastFilter(backend).to_ms).toBeNull();
    await user.selectOptions(screen.getByTestId("filter-date"), "30");
    await waitFor(() => expect(tiles()).toContain(keyOf(l.fox)));
    expect(tiles()).not.toContain(keyOf(l.storm));
  });

  it("filters that match nothing say so, with Clear filters", async () => {
    const { user } = await openGallery((b) => library(b));
    await user.type(screen.getByTestId("gallery-search"), "zebra");
    expect(await screen.findByTestId("gallery-no-match")).toBeInTheDocument();
    await user.click(screen.getByTestId("gallery-clear-filters"));
    await waitFor(() => expect(tiles()).toHaveLength(7));
    expect(screen.getByTestId("gallery-search")).toHaveValue("");
  });
});

/** Eight images of one day: rows of five (900 px), so ↓ moves five tiles on. */
function oneDay(backend: FakeBackend): string[] {
  const entries = Array.from({ length: 8 }, (_, i) =>
    makeItem(makeTask({ prompt: `Picture ${i}`, created_at: at(0, i) })),
  );
  backend.gallery.entries.push(...entries);
  return entries.map(keyOf);
}

const tile = (key: string) => document.getElementById(`tile-${key}`)!;
const selected = () =>
  screen
    .getAllByTestId("gallery-tile")
    .filter((t) => t.getAttribute("aria-selected") === "true")
    .map((t) => t.dataset.key);

describe("selection with the mouse", () => {
  it("a click opens the viewer; Ctrl+click selects; Shift+click selects the run; then a click toggles", async () => {
    let keys: string[] = [];
    const { studio, user } = await openGallery((b) => (keys = oneDay(b)));
    await user.click(tile(keys[1]));
    expect(studio.viewer.key).toBe(keys[1]);
    studio.viewer.close();

    await user.keyboard("{Control>}");
    await user.click(tile(keys[1]));
    await user.keyboard("{/Control}");
    expect(selected()).toEqual([keys[1]]);
    expect(screen.getByTestId("selection-count")).toHaveTextContent("1 selected");

    await user.keyboard("{Shift>}");
    await user.click(tile(keys[4]));
    await user.keyboard("{/Shift}");
    expect(selected()).toEqual(keys.slice(1, 5));
    expect(screen.getByTestId("selection-count")).toHaveTextContent("4 selected");

    // While something is selected, a plain click adds or removes instead of opening.
    await user.click(tile(keys[6]));
    await user.click(tile(keys[2]));
    expect(selected()).toEqual([keys[1], keys[3], keys[4], keys[6]]);
    expect(studio.viewer.isOpen).toBe(false);
  });
});

describe("the grid's keyboard", () => {
  it("arrows move the cursor (↓ by a row), Shift+arrows select, Enter opens the viewer on the cursor", async () => {
    let keys: string[] = [];
    const { studio } = await openGallery((b) => (keys = oneDay(b)));
    const grid = screen.getByTestId("gallery-grid");
    expect(grid).toHaveFocus();
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    expect(studio.gallery.cursor).toBe(keys[0]);
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    expect(studio.gallery.cursor).toBe(keys[1]);
    expect(grid).toHaveAttribute("aria-activedescendant", `tile-${keys[1]}`);
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    expect(studio.gallery.cursor).toBe(keys[6]);
    await fireEvent.keyDown(grid, { key: "ArrowLeft", shiftKey: true });
    await fireEvent.keyDown(grid, { key: "ArrowLeft", shiftKey: true });
    expect(selected()).toEqual([keys[4], keys[5], keys[6]]);
    expect(studio.gallery.cursor).toBe(keys[4]);
    // ↑ from the second row's third tile lands on the first row's third.
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    expect(studio.gallery.cursor).toBe(keys[7]);
    await fireEvent.keyDown(grid, { key: "ArrowUp" });
    expect(studio.gallery.cursor).toBe(keys[2]);
    await fireEvent.keyDown(grid, { key: "End" });
    expect(studio.gallery.cursor).toBe(keys[7]);
    await fireEvent.keyDown(grid, { key: "Enter" });
    expect(studio.viewer.key).toBe(studio.gallery.cursor);
  });

  it("Ctrl+A selects everything and Esc clears the selection", async () => {
    let keys: string[] = [];
    const { studio } = await openGallery((b) => (keys = oneDay(b)));
    const grid = screen.getByTestId("gallery-grid");
    await fireEvent.keyDown(grid, { key: "a", ctrlKey: true });
    expect([...studio.gallery.selection.keys].sort()).toEqual([...keys].sort());
    expect(screen.getByTestId("selection-count")).toHaveTextContent("8 selected");
    await fireEvent.keyDown(grid, { key: "Escape" });
    expect(studio.gallery.selection.keys.size).toBe(0);
    expect(screen.queryByTestId("selection-bar")).toBeNull();
  });

  it("F favourites the selection (again: unfavourites), Ctrl+S saves it", async () => {
    let keys: string[] = [];
    const { backend } = await openGallery((b) => (keys = oneDay(b)));
    const grid = screen.getByTestId("gallery-grid");
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "ArrowRight", shiftKey: true });
    await fireEvent.keyDown(grid, { key: "f" });
    await waitFor(() => expect(tile(keys[1])).toHaveAttribute("data-favourite", "true"));
    expect(tile(keys[0])).toHaveAttribute("data-favourite", "true");
    expect(tile(keys[2])).toHaveAttribute("data-favourite", "false");
    await fireEvent.keyDown(grid, { key: "F" });
    await waitFor(() => expect(tile(keys[1])).toHaveAttribute("data-favourite", "false"));
    await fireEvent.keyDown(grid, { key: "s", ctrlKey: true });
    await waitFor(() => expect(backend.gallery.saved).toEqual([[keys[0], keys[1]]]));
  });

  it("Delete removes the tile under the cursor at once, and Undo brings it back selected", async () => {
    let keys: string[] = [];
    const { studio } = await openGallery((b) => (keys = oneDay(b)));
    const grid = screen.getByTestId("gallery-grid");
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "Delete" });
    await waitFor(() => expect(tiles()).toEqual(keys.filter((k) => k !== keys[1])));
    expect(studio.gallery.undo?.keys).toEqual([keys[1]]);
    // The cursor moves to the tile that took its place.
    expect(studio.gallery.cursor).toBe(keys[2]);
    await studio.gallery.undoDelete();
    await waitFor(() => expect(tiles()).toEqual(keys));
    expect(selected()).toEqual([keys[1]]);
  });

  it("keys typed in the search box are not the grid's", async () => {
    const { studio, user } = await openGallery((b) => oneDay(b));
    await user.click(screen.getByTestId("gallery-search"));
    await user.keyboard("{Control>}a{/Control}f");
    expect(studio.gallery.selection.keys.size).toBe(0);
    expect(screen.getByTestId("gallery-search")).toHaveValue("f");
  });
});
