// Usage on the real window, with the built-in Sandbox profile: after two generations and
// one failed (refunded) task, the page lists all three tasks' rows with the right total,
// the chart draws them, Export CSV writes those rows (the save dialog answered through
// the test-only hook), and a task link opens the task in Activity.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  appEnv,
  byTestId,
  openSession,
  requiredEnv,
  screenshot as saveWindow,
  startDriver,
  stopAll,
  textOf,
  waitFor,
  waitForText as waitForTextIn,
} from "./harness.mjs";
import * as pages from "./pages.mjs";

const APP = requiredEnv("CYBERBARA_APP_BINARY");

const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-usage-"));
const logs = [];
const children = [];
let browser;
/** The three tasks made in `before`: ids by what they are. */
const made = { drawn: [], failed: null };

const text = (selector) => textOf(browser, selector);
const waitForText = (selector, expected, timeoutMs) => waitForTextIn(browser, selector, expected, timeoutMs);
const screenshot = (name) => saveWindow(browser, `usage-${name}`);
const $ = (selector) => browser.$(selector);

const navigate = (page) => pages.navigate(browser, page);

/** Creates a Batch of nano-banana-pro tasks once Create prices it at `price` credits. */
async function generate(prompt, batch, price) {
  await pages.startCreate(browser, "nano-banana-pro", prompt);
  await pages.setBatch(browser, batch);
  // This form's price, not the previous one's still shown while it loads.
  assert.equal(pages.quotedCredits(await pages.waitForQuote(browser, "nano-banana-pro", batch)), price);
  await pages.generate(browser);
}

const tasksFor = (words) => pages.taskRows(browser, words);

/** The Usage table's rows as data. */
async function usageRows() {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="usage-row"]')].map((row) => ({
      task: row.getAttribute("data-task-id"),
      kind: row.getAttribute("data-kind"),
      credits: row.querySelector('[data-testid="usage-credits"]').textContent.trim(),
      model: row.querySelector('[data-testid="usage-model"]').textContent.trim(),
    })),
  );
}

before(async () => {
  browser = await openSession(await startDriver(appEnv(home), logs, children), APP);
  await waitForText(byTestId("balance-value"), /^500$/, 60_000);

  await generate("[sandbox:ms=1500] A lighthouse at dusk for the ledger", 2, 16);
  await waitForText(byTestId("balance-value"), /^484$/, 30_000);
  await generate("[sandbox:fail] [sandbox:ms=1500] A castle that will not be drawn", 1, 8);
  await waitForText(byTestId("balance-value"), /^476$/, 30_000);

  await navigate("activity");
  await waitFor(
    "two tasks to succeed and one to fail and be refunded",
    async () => {
      const drawn = await tasksFor("A lighthouse at dusk for the ledger");
      const [failed] = await tasksFor("A castle that will not be drawn");
      if (drawn.length !== 2 || !drawn.every((t) => t.state === "succeeded")) return false;
      if (failed?.state !== "failed" || !failed.refunded) return false;
      made.drawn = drawn.map((t) => t.id);
      made.failed = failed.id;
      return true;
    },
    90_000,
  );
  // The refund came back, and the header says so.
  await waitForText(byTestId("balance-value"), /^484$/, 60_000);
});

after(async () => {
  try {
    await browser?.deleteSession();
  } finally {
    await stopAll(children);
    fs.writeFileSync(path.join(home, "e2e-usage.log"), logs.join(""));
  }
});

test("Usage lists the three tasks' charges and the refund, with the right total, and the chart draws them", async () => {
  await navigate("usage");
  await waitFor("the four rows", async () => (await usageRows()).length === 4, 30_000);
  const rows = await usageRows();
  const tasks = new Set(rows.map((r) => r.task));
  assert.deepEqual(tasks, new Set([...made.drawn, made.failed]));
  assert.equal(rows.filter((r) => r.kind === "charge").length, 3);
  const refunds = rows.filter((r) => r.kind === "refund");
  assert.deepEqual(
    refunds.map((r) => r.task),
    [made.failed],
  );
  assert.match(refunds[0].credits, /^8 credits back/);
  assert.ok(rows.every((r) => r.model === "nano-banana-pro"), JSON.stringify(rows));
  assert.equal(await text(byTestId("usage-total-credits")), "16 credits");
  assert.equal(await text(byTestId("usage-total")), "4");
  assert.equal(await text(byTestId("usage-split")), "24 credits · 8 credits");
  assert.match(await text(byTestId("usage-range-note")), /UTC days/);

  const chart = await $(byTestId("usage-chart"));
  assert.equal(await chart.getAttribute("data-days"), "7");
  assert.equal(await chart.getAttribute("data-total"), "16");
  assert.equal(await chart.getAttribute("data-series"), "image,refunds");
  const today = new Date().toISOString().slice(0, 10);
  const day = await $(`${byTestId("chart-day")}[data-day="${today}"]`);
  assert.match(((await day.getProperty("textContent")) ?? "").replace(/\s+/g, " "), /24 credits.*-8 credits.*16 credits/);
  // Chart.js really drew bars: count painted pixels in the canvas, which starts out blank.
  const painted = await browser.execute(() => {
    const canvas = document.querySelector('[data-testid="usage-chart"] canvas');
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count += 1;
    return { count, width: canvas.width, height: canvas.height };
  });
  assert.ok(painted.width > 100 && painted.height > 100, JSON.stringify(painted));
  assert.ok(painted.count > 2000, `the chart painted ${painted.count} pixels`);
  await screenshot("01-page");

  // The tooltip of today's bar (Chart.js follows the pointer over the canvas).
  await browser.execute(() => {
    const canvas = document.querySelector('[data-testid="usage-chart"] canvas');
    canvas.scrollIntoView({ block: "center" });
    const rect = canvas.getBoundingClientRect();
    const at = { clientX: rect.right - rect.width / 14, clientY: rect.top + rect.height / 2, bubbles: true };
    canvas.dispatchEvent(new MouseEvent("mousemove", at));
  });
  // Chart.js draws the tooltip on its next animation frame.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await screenshot("02-tooltip");
  await browser.execute(() => {
    const main = document.querySelector("main");
    main.scrollTop = main.scrollHeight;
  });
  await screenshot("03-table");

  await (await $(byTestId("usage-by-model"))).click();
  await waitFor("the chart by model", async () => (await chart.getAttribute("data-series")) === "nano-banana-pro,refunds");
  const perModel = await text(`${byTestId("usage-model-total")}[data-model="nano-banana-pro"]`);
  assert.match(perModel, /3\s*16 credits\s*\(8 credits refunded\)/);
  await screenshot("04-by-model");
});

test("Export CSV writes the range's rows where the save dialog says", async () => {
  await navigate("usage");
  await waitFor("the rows", async () => (await usageRows()).length === 4, 30_000);
  const target = path.join(home, "exports", "usage-this-week");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // The native dialog cannot be driven by WebDriver; the test hook answers it.
  await browser.execute((p) => window.__TAURI_INTERNALS__.invoke("simulate_dialog", { args: { answers: [p] } }), target);
  await (await $(byTestId("usage-export"))).click();
  const written = `${target}.csv`;
  await waitForText(byTestId("usage-exported"), written, 30_000);
  assert.match(await text(byTestId("usage-exported")), /^Saved 4 rows to/);
  const lines = fs.readFileSync(written, "utf8").trim().split("\n");
  assert.equal(
    lines[0],
    "created_at,transaction_no,type,credits,media_type,scene,model,task_id,description,id",
  );
  const records = lines.slice(1).map((line) => line.split(","));
  assert.equal(records.length, 4);
  assert.deepEqual(new Set(records.map((r) => r[7])), new Set([...made.drawn, made.failed]));
  assert.equal(records.reduce((sum, r) => sum + Number(r[3]), 0), 16);
  const refund = records.find((r) => r[2] === "refund");
  assert.deepEqual([refund[3], refund[4], refund[6], refund[7]], ["-8", "image", "nano-banana-pro", made.failed]);
  for (const r of records) assert.match(r[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  await screenshot("05-exported");
});

test("a task in the table opens in Activity", async () => {
  await navigate("usage");
  const link = await $(`${byTestId("usage-row")}[data-task-id="${made.failed}"] ${byTestId("usage-open-task")}`);
  await link.waitForExist({ timeout: 30_000 });
  await link.click();
  await (await $(byTestId("page-activity"))).waitForExist({ timeout: 5000 });
  const row = await $(`${byTestId("task-row")}[data-task-id="${made.failed}"]`);
  await waitFor("the task to be highlighted", async () => (await row.getAttribute("class")).includes("highlighted"), 5000);
});

test("the low-balance threshold in Settings: Create warns before crossing it, the header turns amber below it", async () => {
  const setThreshold = async (credits) => {
    await navigate("settings");
    const field = await $(byTestId("low-balance-threshold"));
    await field.waitForExist({ timeout: 5000 });
    await browser.execute((value) => {
      const input = document.querySelector('[data-testid="low-balance-threshold"]');
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, credits);
    await (await $(byTestId("low-balance-save"))).click();
    await waitForText(byTestId("low-balance-saved"), "Saved", 10_000);
  };
  // 484 left: a threshold of 480 is crossed by an 8-credit task.
  await setThreshold(480);
  assert.equal(await (await $(byTestId("balance"))).getAttribute("data-low"), "false");
  await navigate("create");
  // The draft left by the setup: the failed task's, Batch 1.
  assert.equal(pages.quotedCredits(await pages.waitForQuote(browser, "nano-banana-pro", 1)), 8);
  await waitForText(byTestId("low-balance-warning"), "This leaves 476 credits, below your low-balance warning of 480 credits.", 10_000);
  assert.equal(await (await $(byTestId("generate"))).isEnabled(), true);
  await screenshot("07-create-low-balance-warning");

  await setThreshold(500);
  await waitFor("the header to turn amber", async () => (await (await $(byTestId("balance"))).getAttribute("data-low")) === "true", 5000);
  await screenshot("08-settings-balance-low");
  await setThreshold(50);
});

test("nothing is cut off at the window's minimum size", async () => {
  await navigate("usage");
  await waitFor("the rows", async () => (await usageRows()).length === 4, 30_000);
  await browser.setWindowSize(880, 560);
  await waitFor("the smaller window", async () => (await browser.execute(() => window.innerWidth)) <= 900, 5000);
  const overflow = await browser.execute(() => {
    const page = document.querySelector('[data-testid="usage-page"]');
    const controls = [...page.querySelectorAll("button, select, input")].filter((el) => el.offsetParent !== null);
    const right = page.getBoundingClientRect().right;
    return {
      page: page.scrollWidth - page.clientWidth,
      clipped: controls.filter((el) => el.getBoundingClientRect().right > right + 1).map((el) => el.textContent.trim()),
    };
  });
  await browser.execute(() => {
    const main = document.querySelector("main");
    main.scrollTop = main.scrollHeight;
  });
  await screenshot("06-minimum-size");
  assert.equal(overflow.page, 0, "the page does not scroll sideways");
  assert.deepEqual(overflow.clipped, []);
});
