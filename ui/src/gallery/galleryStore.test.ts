// The gallery's store following the tracker's events without a reload: newer tiles patch
// in place and older ones are ignored, removals leave the list and the selection, new
// tiles and finished tasks query the list again, and the favourites filter drops a tile
// that stops being one.
import { describe, expect, it } from "vitest";
import { waitFor } from "@testing-library/svelte";
import { installFakeBackend, makeTask, type FakeBackend } from "../testing/fakeBackend";
import { makeItem } from "../testing/fakeGallery";
import type { GalleryTile } from "../lib/bindings/GalleryTile";
import { GalleryStore } from "./galleryStore.svelte";
import { selectionOf } from "./selection";

async function openStore(setup: (backend: FakeBackend) => void) {
  const backend = installFakeBackend();
  setup(backend);
  const gallery = new GalleryStore({ requeryMs: 0, searchMs: 0, noticeMs: 5000 });
  gallery.apply({ type: "snapshot", profile_id: "sandbox", tasks: [], problem: null });
  gallery.open();
  await waitFor(() => expect(gallery.loaded).toBe(true));
  return { backend, gallery };
}

const indexQueries = (backend: FakeBackend) => backend.calls.filter((c) => c.cmd === "gallery_index").length;
const itemEvent = (change: "added" | "updated" | "removed", tile: GalleryTile, task_id = "t") =>
  ({ type: "item", profile_id: "sandbox", change, task_id, tile }) as const;

describe("the gallery follows the tracker", () => {
  it("a newer tile replaces the one in the list; an older one is ignored", async () => {
    const entry = makeItem(makeTask(), { state: "downloading", thumb: false, revision: 5 });
    const { gallery } = await openStore((b) => b.gallery.entries.push(entry));
    gallery.apply(itemEvent("updated", { ...entry.tile, state: "ready", thumb: true, revision: 6 }));
    expect(gallery.tile(entry.tile.key)).toMatchObject({ state: "ready", thumb: true, revision: 6 });
    gallery.apply(itemEvent("updated", { ...entry.tile, state: "downloading", revision: 4 }));
    expect(gallery.tile(entry.tile.key)?.state).toBe("ready");
  });

  it("download progress is kept per tile until the download ends", async () => {
    const entry = makeItem(makeTask(), { state: "downloading", revision: 1 });
    const { gallery } = await openStore((b) => b.gallery.entries.push(entry));
    gallery.apply({ type: "download", profile_id: "sandbox", key: entry.tile.key, received: 512, total: 2048 });
    expect(gallery.downloads.get(entry.tile.key)).toEqual({ received: 512, total: 2048 });
    gallery.apply(itemEvent("updated", { ...entry.tile, state: "ready", revision: 2 }));
    expect(gallery.downloads.has(entry.tile.key)).toBe(false);
  });

  it("a removed tile leaves the list, its day and the selection", async () => {
    const a = makeItem(makeTask());
    const b = makeItem(makeTask());
    const { gallery } = await openStore((backend) => backend.gallery.entries.push(a, b));
    gallery.select(selectionOf([a.tile.key, b.tile.key]));
    gallery.apply(itemEvent("removed", a.tile));
    expect(gallery.tiles.map((t) => t.key)).toEqual([b.tile.key]);
    expect(gallery.days.reduce((n, d) => n + d.count, 0)).toBe(1);
    expect([...gallery.selection.keys]).toEqual([b.tile.key]);
    expect(gallery.deleted.has(a.tile.key)).toBe(true);
  });

  it("a tile the list does not hold, and a task that succeeded, query the list again", async () => {
    const first = makeItem(makeTask());
    const { backend, gallery } = await openStore((b) => b.gallery.entries.push(first));
    const before = indexQueries(backend);
    const task = makeTask({ state: "succeeded", status: "success" });
    const output = makeItem(task);
    backend.gallery.entries.push(output);
    gallery.apply(itemEvent("added", output.tile, task.id));
    await waitFor(() => expect(gallery.tiles.map((t) => t.key)).toContain(output.tile.key));
    expect(indexQueries(backend)).toBe(before + 1);
    gallery.apply({ type: "task", change: "succeeded", task });
    await waitFor(() => expect(indexQueries(backend)).toBe(before + 2));
  });

  it("events of another profile change nothing", async () => {
    const entry = makeItem(makeTask(), { revision: 1 });
    const { gallery } = await openStore((b) => b.gallery.entries.push(entry));
    gallery.apply({ type: "item", profile_id: "other", change: "removed", task_id: "t", tile: entry.tile });
    expect(gallery.tiles).toHaveLength(1);
  });

  it("with Favourites on, a tile that stops being a favourite leaves the list", async () => {
    const fav = makeItem(makeTask(), { favourite: true, revision: 1 });
    const { gallery } = await openStore((b) => b.gallery.entries.push(fav, makeItem(makeTask())));
    gallery.setFilter({ favourites: true });
    await waitFor(() => expect(gallery.tiles.map((t) => t.key)).toEqual([fav.tile.key]));
    gallery.apply(itemEvent("updated", { ...fav.tile, favourite: false, revision: 2 }));
    expect(gallery.tiles).toHaveLength(0);
  });
});
