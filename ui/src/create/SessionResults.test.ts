// The results strip on Create: each Generate's tasks at once as tiles that follow the
// tracker's events (pending, processing, succeeded with its thumbnail, failed with why,
// download failed), the tiles' actions and the keyboard.
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/svelte";
import { emptyDraft, type FakeBackend } from "../testing/fakeBackend";
import { makeItem } from "../testing/fakeGallery";
import { renderCreate } from "../testing/studio";
import type { Draft } from "../lib/bindings/Draft";
import type { GalleryTile } from "../lib/bindings/GalleryTile";
import type { TaskRecord } from "../lib/bindings/TaskRecord";

const ready = (over: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  model: "nano-banana-pro",
  scene: "text-to-image",
  prompt: "A lighthouse at dusk",
  ...over,
});

/** Create with a batch of `batch` generated: the strip's tiles, newest first. */
async function generated(batch = 2) {
  const env = await renderCreate(ready({ batch }));
  await waitFor(() => expect(screen.getByTestId("generate")).toBeEnabled());
  await env.user.click(screen.getByTestId("generate"));
  const strip = await screen.findByTestId("session-results");
  await waitFor(() => expect(within(strip).getAllByTestId("session-result")).toHaveLength(batch));
  return { ...env, strip, tiles: () => within(strip).getAllByTestId("session-result") };
}

function taskOf(backend: FakeBackend, tile: HTMLElement): TaskRecord {
  return backend.tasks.get(tile.dataset.taskId!)!;
}

/** The tracker says the task succeeded and its file landed in the library. */
function succeed(backend: FakeBackend, task: TaskRecord, over: Partial<GalleryTile> = {}): GalleryTile {
  const done: TaskRecord = { ...task, state: "succeeded", status: "success", outputs: [`https://cdn.example/o/${task.id}.png`], revision: 2 };
  backend.tasks.set(task.id, done);
  backend.emit({ type: "task", change: "succeeded", task: done });
  const entry = makeItem(done, over);
  backend.gallery.entries.push(entry);
  backend.emit({ type: "item", profile_id: task.profile_id, change: "added", task_id: task.id, tile: entry.tile });
  return entry.tile;
}

describe("the results strip", () => {
  it("shows each task of the click at once, Pending with its elapsed time, then Processing", async () => {
    const { backend, tiles } = await generated(2);
    const [newest, older] = tiles();
    // Newest first: the second of the batch leads.
    expect(taskOf(backend, newest).batch_index).toBe(1);
    expect(taskOf(backend, older).batch_index).toBe(0);
    expect(within(newest).getByTestId("result-state")).toHaveTextContent("Pending");
    expect(within(newest).getByTestId("result-elapsed")).toHaveTextContent(/^\d+ s$/);
    expect(within(newest).getByTestId("session-cost")).toHaveTextContent("4 credits");
    const task = taskOf(backend, newest);
    backend.emit({ type: "task", change: "status_changed", task: { ...task, state: "processing", status: "processing", revision: 2 } });
    await waitFor(() => expect(within(newest).getByTestId("result-state")).toHaveTextContent("Processing"));
    expect(newest).toHaveAttribute("data-state", "processing");
  });

  it("turns a tile into its output's thumbnail when the file lands, and opens the viewer on the session's outputs", async () => {
    const { backend, studio, user, tiles } = await generated(2);
    const [first, second] = tiles();
    const a = succeed(backend, taskOf(backend, first));
    const b = succeed(backend, taskOf(backend, second));
    const thumb = await within(first).findByTestId("result-thumb");
    expect(thumb).toHaveAttribute("src", `http://127.0.0.1:4200/token/cache/thumbs/${a.key}.jpg`);
    await within(second).findByTestId("result-thumb");
    // A ready file shows no state over the picture.
    expect(within(first).queryByTestId("result-state")).toBeNull();
    expect(screen.getByTestId("results-show-all")).toBeInTheDocument();

    await user.click(within(second).getByTestId("result-open"));
    expect(studio.viewer.key).toBe(b.key);
    // ←/→ in the viewer walk this session's results, newest first.
    expect(studio.viewer.list?.count).toBe(2);
    studio.viewer.step(-1);
    expect(studio.viewer.key).toBe(a.key);
  });

  it("says why a task failed in a line and offers Run again, which prices it again", async () => {
    const { backend, user, tiles } = await generated(1);
    const [tile] = tiles();
    const task = taskOf(backend, tile);
    const reason = "The prompt was refused by the content filter.";
    backend.emit({ type: "task", change: "failed", task: { ...task, state: "failed", status: "failed", reason, revision: 2 } });
    await waitFor(() => expect(within(tile).getByTestId("result-reason")).toHaveTextContent(reason));
    expect(within(tile).getByTestId("result-state")).toHaveTextContent("Failed");
    // Nothing to favourite or take as a reference.
    expect(within(tile).queryByTestId("result-favourite")).toBeNull();
    await user.click(within(tile).getByTestId("result-run-again"));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toBeInTheDocument();
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "task_draft")).toBe(true));
  });

  it("says when the file could not be downloaded and offers Retry", async () => {
    const { backend, tiles } = await generated(1);
    const [tile] = tiles();
    succeed(backend, taskOf(backend, tile), { state: "download_failed", thumb: false });
    await waitFor(() => expect(within(tile).getByTestId("result-state")).toHaveTextContent("Download failed"));
    expect(within(tile).getByTestId("result-reason")).toHaveTextContent("Download failed");
    expect(within(tile).getByTestId("result-retry")).toBeInTheDocument();
    expect(within(tile).queryByTestId("result-thumb")).toBeNull();
  });

  it("favourites a result and takes it as a reference", async () => {
    const { backend, user, tiles } = await generated(1);
    const [tile] = tiles();
    const item = succeed(backend, taskOf(backend, tile));
    await within(tile).findByTestId("result-thumb");
    await user.click(within(tile).getByTestId("result-favourite"));
    await waitFor(() => expect(within(tile).getByTestId("result-favourite")).toHaveAttribute("aria-pressed", "true"));
    expect(backend.calls.find((c) => c.cmd === "set_favourite")?.args).toMatchObject({ keys: [item.key], favourite: true });
  });

  it("moves between tiles with ←/→, Home and End, and Enter opens one", async () => {
    const { backend, studio, user, tiles } = await generated(3);
    const all = tiles();
    const items = all.map((t) => succeed(backend, taskOf(backend, t)));
    await waitFor(() => expect(screen.getAllByTestId("result-thumb")).toHaveLength(3));
    const buttons = all.map((t) => within(t).getByTestId("result-open"));
    buttons[0].focus();
    await user.keyboard("{ArrowRight}");
    expect(buttons[1]).toHaveFocus();
    await user.keyboard("{End}");
    expect(buttons[2]).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(buttons[2]).toHaveFocus();
    await user.keyboard("{Home}");
    expect(buttons[0]).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(buttons[0]).toHaveFocus();
    await user.keyboard("{ArrowRight}{Enter}");
    expect(studio.viewer.key).toBe(items[1].key);
  });

  it("shows the thumbnail of a task that finished before its file's event reached the page", async () => {
    const { backend, tiles } = await generated(1);
    const [tile] = tiles();
    const task = taskOf(backend, tile);
    // The file is in the library already; only the task's event arrives.
    const done: TaskRecord = { ...task, state: "succeeded", status: "success", revision: 2 };
    const entry = makeItem(done);
    backend.gallery.entries.push(entry);
    backend.emit({ type: "task", change: "succeeded", task: done });
    const thumb = await within(tile).findByTestId("result-thumb");
    expect(thumb).toHaveAttribute("src", `http://127.0.0.1:4200/token/cache/thumbs/${entry.tile.key}.jpg`);
    expect(backend.calls.filter((c) => c.cmd === "task_tiles")).toHaveLength(1);
  });
});
