// The Usage page over the fake backend: loading, cached-then-updated, empty and error
// states, refused dates beside the picker, charges and refunds told apart, paging, the
// chart's numbers, per-model totals, task links, Export CSV and Import missing tasks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { appError, installFakeBackend, makeLedger, makeTask, makeUsageRow, type FakeBackend } from "../testing/fakeBackend";
import { startStudio } from "../testing/studio";
import type { UsageLedger } from "../lib/bindings/UsageLedger";
import { makeItem } from "../testing/fakeGallery";
import UsagePage from "./UsagePage.svelte";

// Presets follow the clock; the page opens on "Last 7 days".
const NOW = new Date("2026-03-17T15:00:00.000Z");
const WEEK = { from: "2026-03-11", to: "2026-03-17" };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

const at = (day: string, time = "12:00:00.000") => `${day}T${time}Z`;

async function openUsage(setup: (backend: FakeBackend) => void = () => undefined) {
  const backend = installFakeBackend();
  setup(backend);
  const studio = await startStudio();
  render(UsagePage, { studio });
  return { backend, studio, user: userEvent.setup() };
}

const rows = () => screen.getAllByTestId("usage-row");

describe("the Usage page's states", () => {
  it("shows skeletons while the range is first read, then the rows", async () => {
    let answer: ((ledger: UsageLedger) => void) | null = null;
    await openUsage((b) => {
      b.syncUsage = () => new Promise((resolve) => (answer = resolve));
    });
    expect(await screen.findByTestId("usage-loading")).toHaveAttribute("aria-busy", "true");
    expect(screen.queryByTestId("usage-table")).toBeNull();
    await waitFor(() => expect(answer).not.toBeNull());
    expect(screen.getByTestId("usage-loading")).toBeInTheDocument();
    answer!(makeLedger([makeUsageRow({ created_at: at("2026-03-16") })], WEEK));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByTestId("usage-loading")).toBeNull();
  });

  it("opens at once with what the library has, then shows what the deployment adds", async () => {
    const old = makeUsageRow({ created_at: at("2026-03-15") });
    let answer: (ledger: UsageLedger) => void = () => undefined;
    await openUsage((b) => {
      b.cacheUsage(makeLedger([old], WEEK));
      b.syncUsage = (_range, progress) => {
        progress({ stage: "pages", done: 1, total: 3 });
        return new Promise((resolve) => (answer = resolve));
      };
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByTestId("usage-loading")).toBeNull();
    expect(screen.getByTestId("usage-progress")).toHaveTextContent("Updating: page 1 of 3…");
    answer(makeLedger([makeUsageRow({ created_at: at("2026-03-17") }), old], WEEK));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.queryByTestId("usage-progress")).toBeNull();
  });

  it("says when a range has no usage and offers Create", async () => {
    const { studio, user } = await openUsage();
    const empty = await screen.findByTestId("usage-empty");
    expect(empty).toHaveTextContent("No credits used in this range");
    expect(screen.getByTestId("usage-total-credits")).toHaveTextContent("0 credits");
    await user.click(within(empty).getByTestId("usage-go-create"));
    expect(studio.page).toBe("create");
  });

  it("says why the usage could not be read, and Try again reads it", async () => {
    let fail = true;
    const { user } = await openUsage((b) => {
      b.usageRows = [makeUsageRow({ created_at: at("2026-03-16") })];
      const plain = b.syncUsage;
      b.syncUsage = (range, progress) => {
        if (fail) throw appError("The deployment at 127.0.0.1 did not answer.", { kind: "network" });
        return plain(range, progress);
      };
    });
    const notice = await screen.findByTestId("usage-error");
    expect(notice).toHaveTextContent("The deployment at 127.0.0.1 did not answer.");
    fail = false;
    await user.click(within(notice).getByTestId("usage-retry"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByTestId("usage-error")).toBeNull();
  });

  it("keeps the rows it has when a refresh fails, and says so", async () => {
    const { backend, user } = await openUsage((b) => {
      b.usageRows = [makeUsageRow({ created_at: at("2026-03-16") })];
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    backend.syncUsage = () => {
      throw appError("The deployment at 127.0.0.1 did not answer.", { kind: "network" });
    };
    await user.click(screen.getByTestId("usage-refresh"));
    expect(await screen.findByTestId("usage-stale")).toHaveTextContent(/Showing the usage read at .*did not answer/);
    expect(rows()).toHaveLength(1);
  });

  it("shows refused dates beside the picker, not instead of the page", async () => {
    const { backend, user } = await openUsage();
    await screen.findByTestId("usage-empty");
    backend.syncUsage = (range) => {
      if ((range.from ?? "") > (range.to ?? "9")) {
        throw appError("The start date must be earlier than the end date. Correct the date range.", {
          code: "invalid_date_range",
        });
      }
      return makeLedger([], range);
    };
    await user.click(screen.getByTestId("usage-preset-custom"));
    const from = screen.getByTestId("usage-from");
    expect(from).toHaveValue(WEEK.from);
    await user.clear(from);
    await user.type(from, "2026-03-20");
    await user.click(screen.getByTestId("usage-apply"));
    const error = await screen.findByTestId("usage-range-error");
    expect(error).toHaveTextContent("The start date must be earlier than the end date.");
    expect(within(screen.getByTestId("usage-range")).getByTestId("usage-range-error")).toBe(error);
    expect(screen.getByTestId("usage-from")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("usage-empty")).toBeNull();
    expect(backend.calls.filter((c) => c.cmd === "sync_usage").at(-1)?.args).toEqual({ from: "2026-03-20", to: WEEK.to });
  });
});

describe("the table", () => {
  it("tells charges and refunds apart, names known models, and shows the UTC time on hover", async () => {
    const task = "2fa99a50-fb96-407b-a562-82de8265f48e";
    await openUsage((b) => {
      b.usageRows = [
        makeUsageRow({ task_id: task, credits: -8, description: "refund: image task failed", created_at: at("2026-03-16", "10:00:05.000") }),
        makeUsageRow({ task_id: task, credits: 8, created_at: at("2026-03-16", "10:00:00.000") }),
        makeUsageRow({ credits: 20, model: null, media_type: "video", scene: "text-to-video", created_at: at("2026-03-15") }),
      ];
    });
    await waitFor(() => expect(rows()).toHaveLength(3));
    const [refund, charge, unknown] = rows();
    expect(refund).toHaveAttribute("data-kind", "refund");
    expect(within(refund).getByTestId("usage-credits")).toHaveTextContent("8 credits back");
    expect(within(refund).getByTestId("usage-credits")).toHaveTextContent("Refund");
    expect(charge).toHaveAttribute("data-kind", "charge");
    expect(within(charge).getByTestId("usage-credits")).toHaveTextContent(/^8 credits$/);
    expect(within(charge).getByTestId("usage-model")).toHaveTextContent("nano-banana-pro");
    expect(within(unknown).getByTestId("usage-model")).toHaveTextContent("—");
    expect(unknown).toHaveTextContent("video · text-to-video");
    expect(within(charge).getByRole("time")).toHaveAttribute("title", "2026-03-16 10:00:00 UTC");
    expect(screen.getByTestId("usage-total-credits")).toHaveTextContent("20 credits");
    expect(screen.getByTestId("usage-total")).toHaveTextContent("3");
    expect(screen.getByTestId("usage-split")).toHaveTextContent("28 credits · 8 credits");
  });

  it("pages by 20, 50 or 100 rows", async () => {
    const { user } = await openUsage((b) => {
      b.usageRows = Array.from({ length: 45 }, (_, i) =>
        makeUsageRow({ created_at: new Date(Date.parse(at("2026-03-16")) - i * 60_000).toISOString() }),
      );
    });
    await waitFor(() => expect(rows()).toHaveLength(20));
    const position = screen.getByTestId("usage-position");
    expect(position).toHaveTextContent("1–20 of 45");
    expect(screen.getByTestId("usage-prev")).toBeDisabled();
    await user.click(screen.getByTestId("usage-next"));
    expect(position).toHaveTextContent("21–40 of 45");
    await user.click(screen.getByTestId("usage-next"));
    expect(rows()).toHaveLength(5);
    expect(position).toHaveTextContent("41–45 of 45");
    expect(screen.getByTestId("usage-next")).toBeDisabled();
    await user.selectOptions(screen.getByTestId("usage-page-size"), "50");
    expect(rows()).toHaveLength(45);
    expect(screen.getByTestId("usage-pager")).toHaveTextContent("Page 1 of 1");
    expect([...screen.getByTestId("usage-page-size").querySelectorAll("option")].map((o) => o.value)).toEqual([
      "20",
      "50",
      "100",
    ]);
  });

  it("opens a known task in Activity", async () => {
    const { studio, user } = await openUsage((b) => {
      b.usageRows = [makeUsageRow({ task_id: "task-known", created_at: at("2026-03-16") })];
    });
    await user.click(await screen.findByTestId("usage-open-task"));
    expect(studio.page).toBe("activity");
    expect(studio.focusTask).toBe("task-known");
  });
});

describe("Open in Gallery", () => {
  it("opens the task's output in the Gallery's viewer, selected, with the filters cleared", async () => {
    const { studio, user } = await openUsage((b) => {
      const task = makeTask({ id: "task-made", prompt: "A lighthouse", created_at: at("2026-03-16") });
      const other = makeItem(makeTask({ prompt: "Something else", media_type: "video", created_at: at("2026-03-15") }));
      const output = makeItem(task);
      b.gallery.entries.push(output, other);
      b.usageRows = [makeUsageRow({ task_id: "task-made", created_at: at("2026-03-16") })];
    });
    // A filter that hides the task's output: it is cleared to show it.
    studio.gallery.filter.media = ["video"];
    await user.click(await screen.findByTestId("usage-open-gallery"));
    await waitFor(() => expect(studio.viewer.isOpen).toBe(true));
    expect(studio.page).toBe("gallery");
    const key = studio.viewer.key!;
    expect((await studio.gallery.record(key))?.task.id).toBe("task-made");
    expect([...studio.gallery.selection.keys]).toEqual([key]);
    expect(studio.gallery.cursor).toBe(key);
    expect(studio.gallery.filter.media).toEqual([]);
  });

  it("a task the Gallery has nothing of opens in Activity instead", async () => {
    const { studio, user } = await openUsage((b) => {
      b.usageRows = [makeUsageRow({ task_id: "task-gone", created_at: at("2026-03-16") })];
    });
    await user.click(await screen.findByTestId("usage-open-gallery"));
    await waitFor(() => expect(studio.page).toBe("activity"));
    expect(studio.focusTask).toBe("task-gone");
    expect(studio.viewer.isOpen).toBe(false);
  });
});

describe("the chart and the totals per model", () => {
  it("draws every day of the range with the day's credits, by media type or by model", async () => {
    const { user } = await openUsage((b) => {
      b.usageRows = [
        makeUsageRow({ credits: 8, created_at: at("2026-03-16") }),
        makeUsageRow({ credits: 30, media_type: "video", model: "kling-2.6", created_at: at("2026-03-14") }),
        makeUsageRow({ credits: 4, model: null, created_at: at("2026-03-14") }),
      ];
    });
    const chart = await screen.findByTestId("usage-chart");
    expect(chart).toHaveAttribute("data-days", "7");
    expect(chart).toHaveAttribute("data-total", "42");
    expect(chart).toHaveAttribute("data-series", "video,image");
    const days = within(chart).getAllByTestId("chart-day");
    expect(days.map((d) => d.getAttribute("data-day"))).toEqual(["2026-03-14", "2026-03-16"]);
    expect(days[0]).toHaveTextContent("34 credits");
    await user.click(screen.getByTestId("usage-by-model"));
    expect(screen.getByTestId("usage-chart")).toHaveAttribute("data-series", "kling-2.6,nano-banana-pro,other");

    const totals = screen.getAllByTestId("usage-model-total");
    expect(totals.map((t) => t.getAttribute("data-model"))).toEqual(["kling-2.6", "nano-banana-pro", "other"]);
    expect(within(totals[2]).getByTestId("usage-model-credits")).toHaveTextContent("4 credits");
  });
});

describe("Export CSV and Import missing tasks", () => {
  it("exports the range where the save dialog said, and says where", async () => {
    const { backend, user } = await openUsage((b) => {
      b.usageRows = [makeUsageRow({ created_at: at("2026-03-16") }), makeUsageRow({ created_at: at("2026-03-15") })];
    });
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.click(screen.getByTestId("usage-export"));
    expect(await screen.findByTestId("usage-exported")).toHaveTextContent("Saved 2 rows to /home/user/usage.csv");
    expect(backend.exportedCsv).toHaveLength(1);
    expect(backend.calls.find((c) => c.cmd === "export_usage_csv")?.args).toEqual(WEEK);

    backend.saveAnswer = null;
    await user.click(screen.getByTestId("usage-export"));
    await waitFor(() => expect(screen.getByTestId("usage-export")).toBeEnabled());
    expect(screen.queryByTestId("usage-exported")).toBeNull();
    expect(backend.exportedCsv).toHaveLength(1);
  });

  it("imports the tasks the app does not know, then names their models", async () => {
    const { studio, user } = await openUsage((b) => {
      b.usageRows = [
        makeUsageRow({ task_id: "elsewhere-1", model: null, created_at: at("2026-03-16") }),
        makeUsageRow({ task_id: "elsewhere-2", model: null, media_type: "video", created_at: at("2026-03-15") }),
        makeUsageRow({ task_id: "gone", model: null, created_at: at("2026-03-14") }),
      ];
      b.importable.set("elsewhere-1", makeTask({ id: "elsewhere-1", model: "nano-banana-pro", origin: "imported" }));
      b.importable.set("elsewhere-2", makeTask({ id: "elsewhere-2", model: "kling-2.6", origin: "imported" }));
    });
    const button = await screen.findByTestId("usage-import");
    expect(button).toHaveTextContent("Import 3 missing tasks");
    await user.click(button);
    expect(await screen.findByTestId("usage-imported")).toHaveTextContent(
      "2 tasks added to Activity; 1 could not be imported.",
    );
    expect(screen.getByTestId("usage-import-failure")).toHaveTextContent("gone: The deployment has no task gone.");
    const models = rows().map((r) => within(r).getByTestId("usage-model").textContent);
    expect(models).toEqual(["nano-banana-pro", "kling-2.6", "—"]);
    expect(screen.getByTestId("usage-import")).toHaveTextContent("Import 1 missing task");
    expect(studio.tasks.byId("elsewhere-2")?.model).toBe("kling-2.6");
  });
});
