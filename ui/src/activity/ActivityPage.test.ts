import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { appError, emptyDraft, installFakeBackend, makeTask, type FakeBackend } from "../testing/fakeBackend";
import { FAST, testStudio } from "../testing/studio";
import type { TaskRecord } from "../lib/bindings/TaskRecord";
import { send } from "../testing/channels";
import { makeItem } from "../testing/fakeGallery";
import ActivityPage from "./ActivityPage.svelte";
import Shell from "../shell/Shell.svelte";

async function open(setup: (backend: FakeBackend) => void = () => undefined) {
  const backend = installFakeBackend();
  setup(backend);
  const studio = testStudio({ timings: FAST });
  studio.start();
  render(ActivityPage, { studio });
  return { backend, studio, user: userEvent.setup() };
}

const rows = () => screen.queryAllByTestId("task-row");
const row = (id: string) => rows().find((r) => r.dataset.taskId === id)!;
const seed = (backend: FakeBackend, ...tasks: TaskRecord[]) => tasks.forEach((t) => backend.tasks.set(t.id, t));

describe("Activity", () => {
  it("shows skeleton rows until the tracker's snapshot, then the tasks newest first by day", async () => {
    const today = new Date();
    // Noon of the previous calendar day: "Yesterday" at any time of day (now − 24 h or
    // more is two days ago just after midnight).
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1, 12);
    const { backend } = await open((b) => {
      b.autoSnapshot = false;
      seed(
        b,
        makeTask({ id: "old", created_at: yesterday.toISOString(), state: "succeeded", status: "success" }),
        makeTask({ id: "new", created_at: today.toISOString() }),
      );
    });
    expect(await screen.findByTestId("activity-skeleton")).toBeInTheDocument();
    await waitFor(() => expect(backend.trackerChannel).not.toBeNull());
    backend.sendSnapshot();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.queryByTestId("activity-skeleton")).toBeNull();
    expect(rows().map((r) => r.dataset.taskId)).toEqual(["new", "old"]);
    expect(screen.getAllByTestId("activity-day").map((d) => d.textContent)).toEqual(["Today", "Yesterday"]);
  });

  it("shows a task whose server listed one output twice, and a prompt with markup as text", async () => {
    const url = "https://cdn.example.com/out/0.png";
    const task = makeTask({
      id: "dup",
      state: "succeeded",
      status: "success",
      prompt: "<img src=x onerror=alert(1)>",
      outputs: [url, url],
    });
    await open((b) => seed(b, task));
    await waitFor(() => expect(rows()).toHaveLength(1));
    // Keyed by position: both entries render (a key by URL threw and blanked the page).
    expect(within(row("dup")).getAllByTestId("task-output")).toHaveLength(2);
    const prompt = within(row("dup")).getByTestId("task-prompt");
    expect(prompt).toHaveTextContent("<img src=x onerror=alert(1)>");
    expect(prompt.querySelector("img")).toBeNull();
  });

  it("applies events in order and ignores a revision older than the one shown", async () => {
    const task = makeTask({ id: "t1", prompt: "A red fox", cost: 8 });
    const { backend } = await open((b) => seed(b, task));
    await waitFor(() => expect(rows()).toHaveLength(1));
    const status = () => within(row("t1")).getByTestId("task-status");
    expect(status()).toHaveTextContent("Pending");
    expect(within(row("t1")).getByTestId("task-prompt")).toHaveTextContent("A red fox");
    expect(within(row("t1")).getByTestId("task-model")).toHaveTextContent("nano-banana-pro");
    expect(within(row("t1")).getByTestId("task-cost")).toHaveTextContent("8 credits");

    backend.emit({ type: "task", change: "status_changed", task: { ...task, state: "processing", status: "processing", revision: 2 } });
    await waitFor(() => expect(status()).toHaveTextContent("Processing"));
    backend.emit({
      type: "task",
      change: "succeeded",
      task: { ...task, state: "succeeded", status: "success", revision: 3, outputs: ["https://cdn.example/out/fox.png"], finished_ms: Date.now() },
    });
    await waitFor(() => expect(status()).toHaveTextContent("Succeeded"));
    // A late, older revision does not bring the task back to Processing: once the event
    // sent after it is shown, it has been applied (the channel keeps the order).
    backend.emit({ type: "task", change: "status_changed", task: { ...task, state: "processing", status: "processing", revision: 2 } });
    backend.emit({ type: "task", change: "created", task: makeTask({ id: "t2", created_at: new Date(Date.now() + 1000).toISOString() }) });
    await waitFor(() => expect(rows().map((r) => r.dataset.taskId)).toEqual(["t2", "t1"]));
    expect(status()).toHaveTextContent("Succeeded");
    expect(row("t1")).toHaveAttribute("data-state", "succeeded");
    expect(within(row("t1")).getByTestId("task-outputs")).toHaveTextContent("fox.png");
  });

  it("words every state and marks refunds", async () => {
    const states = ["pending", "processing", "succeeded", "failed", "canceled"] as const;
    await open((b) =>
      seed(
        b,
        ...states.map((state, i) =>
          makeTask({ id: state, state, created_at: new Date(Date.now() - i * 1000).toISOString(), refunded: state === "failed", reason: state === "failed" ? "The provider refused the prompt." : null }),
        ),
      ),
    );
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows().map((r) => within(r).getByTestId("task-status").textContent)).toEqual([
      "Pending",
      "Processing",
      "Succeeded",
      "Failed",
      "Canceled",
    ]);
    expect(within(row("failed")).getByTestId("task-refunded")).toHaveTextContent("· refunded");
    expect(within(row("failed")).getByTestId("task-reason")).toHaveTextContent("The provider refused the prompt.");
    expect(screen.getAllByTestId("task-refunded")).toHaveLength(1);
  });

  it("counts elapsed time from creation to the end", async () => {
    const created = Date.now() - 125_000;
    await open((b) =>
      seed(
        b,
        makeTask({ id: "done", state: "succeeded", created_at: new Date(created).toISOString(), finished_ms: created + 65_000 }),
        makeTask({ id: "running", state: "processing", created_at: new Date(Date.now() - 8_000).toISOString() }),
      ),
    );
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(within(row("done")).getByTestId("task-elapsed")).toHaveTextContent("1 min 05 s");
    expect(within(row("running")).getByTestId("task-elapsed")).toHaveTextContent(/^(8|9) s$/);
  });

  it("stops and resumes tracking, and imports a task by id", async () => {
    const { backend, user } = await open((b) => {
      seed(b, makeTask({ id: "t1", state: "processing" }));
      b.importable.set("cli-1", makeTask({ id: "cli-1", origin: "imported", state: "succeeded", prompt: "From the CLI" }));
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(row("t1")).getByTestId("task-stop"));
    await waitFor(() => expect(within(row("t1")).getByTestId("task-resume")).toBeInTheDocument());
    expect(backend.calls.find((c) => c.cmd === "stop_tracking")?.args).toEqual({ id: "t1" });
    await user.click(within(row("t1")).getByTestId("task-resume"));
    await waitFor(() => expect(within(row("t1")).getByTestId("task-stop")).toBeInTheDocument());
    expect(backend.calls.find((c) => c.cmd === "resume_tracking")?.args).toEqual({ id: "t1" });

    await user.type(screen.getByTestId("import-task-id"), "nope");
    await user.click(screen.getByTestId("import-task"));
    expect(await screen.findByTestId("import-error")).toHaveTextContent("The deployment has no task nope.");
    await user.clear(screen.getByTestId("import-task-id"));
    await user.type(screen.getByTestId("import-task-id"), " cli-1 ");
    await user.click(screen.getByTestId("import-task"));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(backend.calls.filter((c) => c.cmd === "import_task").at(-1)?.args).toEqual({ id: "cli-1" });
    expect(screen.getByTestId("import-task-id")).toHaveValue("");
    expect(screen.queryByTestId("import-error")).toBeNull();
  });

  it("runs a task again after a confirmation that states the cost", async () => {
    const { backend, studio, user } = await open((b) => {
      seed(b, makeTask({ id: "t1", state: "failed", status: "failed" }));
      b.taskDrafts.set("t1", { ...emptyDraft(), model: "nano-banana-pro", prompt: "A lighthouse at dusk" });
      b.price = () => 8;
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(row("t1")).getByTestId("task-run-again"));
    const dialog = await screen.findByTestId("run-again-confirm");
    await waitFor(() => expect(within(dialog).getByTestId("run-again-cost")).toHaveTextContent("for 8 credits"));
    expect(within(dialog).getByTestId("run-again-cost")).toHaveTextContent("492 credits are left after");
    expect(backend.calls.some((c) => c.cmd === "generate")).toBe(false);
    await user.click(within(dialog).getByTestId("run-again-yes"));
    await waitFor(() => expect(screen.queryByTestId("run-again-confirm")).toBeNull());
    expect(backend.calls.find((c) => c.cmd === "generate")?.args).toMatchObject({ draft: { prompt: "A lighthouse at dusk", batch: 1 } });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(studio.app.balance?.remaining_credits).toBe(492);
  });

  it("cancels Run again with Escape without creating anything", async () => {
    const { backend, user } = await open((b) => seed(b, makeTask({ id: "t1", state: "failed" })));
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(row("t1")).getByTestId("task-run-again"));
    await screen.findByTestId("run-again-confirm");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("run-again-confirm")).toBeNull());
    expect(within(row("t1")).getByTestId("task-run-again")).toHaveFocus();
    expect(backend.calls.some((c) => c.cmd === "generate")).toBe(false);
  });

  it("copies the task id", async () => {
    const { user } = await open((b) => seed(b, makeTask({ id: "abc-123" })));
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(row("abc-123")).getByTestId("task-copy-id"));
    await expect(navigator.clipboard.readText()).resolves.toBe("abc-123");
    expect(within(row("abc-123")).getByTestId("task-copy-id")).toHaveTextContent("Copied");
  });

  it("opens outputs in the browser through open_url", async () => {
    const { backend, user } = await open((b) =>
      seed(b, makeTask({ id: "t1", state: "succeeded", outputs: ["https://cdn.example/a.png", "https://cdn.example/b.png"] })),
    );
    await waitFor(() => expect(rows()).toHaveLength(1));
    const links = within(row("t1")).getAllByTestId("task-output");
    expect(links.map((l) => l.textContent?.trim())).toEqual(["a.png", "b.png"]);
    await user.click(links[1]);
    await waitFor(() => expect(backend.openedUrls).toEqual(["https://cdn.example/b.png"]));
  });

  it("shows a finished task's outputs as thumbnails that open the viewer on that task's outputs", async () => {
    const task = makeTask({ id: "t1", state: "succeeded", status: "success", outputs: ["https://cdn.example/a.png", "https://cdn.example/b.png"] });
    const a = makeItem(task);
    const b = makeItem(task, { thumb: false });
    const { backend, studio, user } = await open((bk) => {
      seed(bk, task, makeTask({ id: "t2", state: "processing" }));
      bk.gallery.entries.push(a, b);
    });
    await waitFor(() => expect(within(row("t1")).getAllByTestId("task-thumb")).toHaveLength(2));
    const thumbs = within(row("t1")).getAllByTestId("task-thumb");
    expect(thumbs.map((t) => t.dataset.key)).toEqual([a.tile.key, b.tile.key]);
    // The list's thumbnail base comes with the item's record.
    await waitFor(() =>
      expect(thumbs[0].querySelector("img")).toHaveAttribute("src", `http://127.0.0.1:4200/token/cache/thumbs/${a.tile.key}.jpg`),
    );
    // No thumbnail yet: the media's icon, not a broken image.
    expect(thumbs[1].querySelector("img")).toBeNull();
    // File names give way to the pictures; a running task has none and asks for none.
    expect(within(row("t1")).queryByTestId("task-outputs")).toBeNull();
    expect(within(row("t2")).queryByTestId("task-thumbs")).toBeNull();
    expect(backend.calls.filter((c) => c.cmd === "task_tiles").map((c) => c.args)).toEqual([{ id: "t1" }]);

    await user.click(thumbs[1]);
    expect(studio.viewer.key).toBe(b.tile.key);
    expect(studio.viewer.list?.count).toBe(2);

    // The thumbnail made later: the library has it and an item event says so.
    b.tile = { ...b.tile, thumb: true, revision: 2 };
    backend.emit({ type: "item", profile_id: task.profile_id, change: "updated", task_id: "t1", tile: b.tile });
    await waitFor(() =>
      expect(within(row("t1")).getAllByTestId("task-thumb")[1].querySelector("img")).toHaveAttribute(
        "src",
        `http://127.0.0.1:4200/token/cache/thumbs/${b.tile.key}.jpg`,
      ),
    );
  });

  it("offers Extend only where the model's form has parent_task_id", async () => {
    await open((b) =>
      seed(
        b,
        makeTask({ id: "s2", model: "seedance-2-preview", state: "succeeded" }),
        makeTask({ id: "nb", model: "nano-banana-pro", state: "succeeded" }),
        makeTask({ id: "s2-failed", model: "seedance-2-preview", state: "failed" }),
      ),
    );
    await waitFor(() => expect(rows()).toHaveLength(3));
    await waitFor(() => expect(within(row("s2")).getByTestId("task-extend")).toBeInTheDocument());
    expect(within(row("nb")).queryByTestId("task-extend")).toBeNull();
    expect(within(row("s2-failed")).queryByTestId("task-extend")).toBeNull();
  });

  it("says what to do when there are no tasks", async () => {
    const { studio, user } = await open();
    const empty = await screen.findByTestId("activity-empty");
    expect(empty).toHaveTextContent("Generate something in Create");
    await user.click(within(empty).getByTestId("activity-go-create"));
    expect(studio.page).toBe("create");
  });

  it("shows the tracker's connection problem, and clears it when polls work again", async () => {
    const { backend } = await open((b) => seed(b, makeTask({ id: "t1", state: "processing" })));
    await waitFor(() => expect(rows()).toHaveLength(1));
    backend.emit({
      type: "connection",
      profile_id: "sandbox",
      problem: appError("The deployment at 127.0.0.1 stopped answering; tasks resume when it is back.", {
        kind: "network",
        detail: "connection refused (os error 111)",
      }),
    });
    const problem = await screen.findByTestId("activity-problem");
    expect(problem).toHaveTextContent("stopped answering");
    expect(problem).toHaveTextContent("connection refused (os error 111)");
    backend.emit({ type: "connection", profile_id: "sandbox", problem: null });
    await waitFor(() => expect(screen.queryByTestId("activity-problem")).toBeNull());
  });
});

describe("from Activity back to Create", () => {
  it("Extend opens the task's request in Create with parent_task_id set", async () => {
    const backend = installFakeBackend();
    backend.tasks.set("s2", makeTask({ id: "s2", model: "seedance-2-preview", state: "succeeded", prompt: "Waves" }));
    backend.taskDrafts.set("s2", { ...emptyDraft(), model: "seedance-2-preview", prompt: "Waves", options: { duration: 10 } });
    const studio = testStudio({ timings: FAST, page: "activity" });
    const user = userEvent.setup();
    render(Shell, { studio });
    await user.click(await screen.findByTestId("task-extend"));
    await waitFor(() => expect(screen.getByTestId("page-create")).toBeInTheDocument());
    expect(await screen.findByTestId("prompt")).toHaveValue("Waves");
    expect(screen.getByTestId("model-picker")).toHaveValue("seedance-2-preview");
    expect(studio.drafts.draft.options).toEqual({ duration: 10, parent_task_id: "s2" });
    await user.click(screen.getByText("More options", { exact: false }));
    expect(screen.getByTestId("option-parent_task_id")).toHaveValue("s2");
  });

  it("Open in Create shows the task's request as a form", async () => {
    const backend = installFakeBackend();
    backend.tasks.set("t1", makeTask({ id: "t1", model: "sora-2", state: "failed" }));
    backend.taskDrafts.set("t1", { ...emptyDraft(), model: "sora-2", scene: "text-to-video", prompt: "Rain", options: { duration: 15 } });
    const studio = testStudio({ timings: FAST, page: "activity" });
    const user = userEvent.setup();
    render(Shell, { studio });
    await user.click(await screen.findByTestId("task-open-create"));
    expect(await screen.findByTestId("prompt")).toHaveValue("Rain");
    expect(screen.getByTestId("option-duration")).toHaveValue("15");
    expect(screen.getByTestId("scene-select")).toHaveValue("text-to-video");
    expect(screen.queryByTestId("task-extend")).toBeNull();
  });
});

describe("the tracker and the header balance", () => {
  it("sets the balance from balance events and re-reads it when a task is refunded", async () => {
    const backend = installFakeBackend();
    const task = makeTask({ id: "t1", state: "failed" });
    backend.tasks.set("t1", task);
    const studio = testStudio({ timings: FAST });
    render(Shell, { studio });
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("500"));
    await waitFor(() => expect(backend.trackerChannel).not.toBeNull());
    backend.emit({ type: "balance", profile_id: "sandbox", remaining_credits: 321 });
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("321"));
    // Another profile's balance is not this header's.
    backend.emit({ type: "balance", profile_id: "p9", remaining_credits: 7 });
    backend.accounts.set("sk-sandbox-f00d", 508);
    const reads = backend.calls.filter((c) => c.cmd === "active_balance").length;
    backend.emit({ type: "task", change: "refunded", task: { ...task, refunded: true, revision: 2 } });
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("508"));
    expect(backend.calls.filter((c) => c.cmd === "active_balance").length).toBe(reads + 1);
  });

  it("subscribes again on a profile switch and drops the old profile's tasks", async () => {
    const backend = installFakeBackend();
    backend.tasks.set("mine", makeTask({ id: "mine" }));
    backend.tasks.set("theirs", makeTask({ id: "theirs", profile_id: "p7" }));
    backend.keys.set("p7", "sk-live-0123456789abcdef");
    backend.accounts.set("sk-live-0123456789abcdef", 10);
    const studio = testStudio({ timings: FAST });
    studio.start();
    await waitFor(() => expect(studio.tasks.tasks.map((t) => t.id)).toEqual(["mine"]));
    const first = backend.trackerChannel;
    await studio.app.switchTo("p7");
    await waitFor(() => expect(studio.tasks.tasks.map((t) => t.id)).toEqual(["theirs"]));
    expect(backend.trackerChannel).not.toBe(first);
    expect(backend.calls.filter((c) => c.cmd === "subscribe_tasks")).toHaveLength(2);
    // The replaced subscription's late events, and another profile's tasks, are not shown.
    send(first!, { type: "task", change: "created", task: makeTask({ id: "ghost", profile_id: "p7", revision: 9 }) });
    backend.emit({ type: "task", change: "created", task: makeTask({ id: "elsewhere", profile_id: "sandbox" }) });
    // A task of this profile sent after them: once it is listed, they were dropped.
    const later = new Date(Date.now() + 1000).toISOString();
    backend.emit({ type: "task", change: "created", task: makeTask({ id: "next", profile_id: "p7", created_at: later }) });
    await waitFor(() => expect(studio.tasks.tasks.map((t) => t.id)).toContain("next"));
    expect(studio.tasks.tasks.map((t) => t.id)).toEqual(["next", "theirs"]);
  });
});
