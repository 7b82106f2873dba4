// Create and Activity on the real window: a text-to-image Batch of 2 (its results as
// thumbnails on Create and in Activity) and an image-to-video
// task whose reference arrives through the window's drop handler, both followed to success;
// a [sandbox:fail] task shown as Failed and then refunded; an upload's progress and its
// cancellation. Each test stands on its own (it sets the page and the model it needs).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  appEnv,
  byTestId,
  openSession,
  requiredEnv,
  screenshot as saveWindow,
  start,
  startDriver,
  stopAll,
  textOf,
  waitFor,
  waitForText,
} from "./harness.mjs";
import * as pages from "./pages.mjs";

const APP = requiredEnv("CYBERBARA_APP_BINARY");
const SANDBOX = requiredEnv("CYBERBARA_SANDBOX_BINARY");

const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-create-"));
const files = path.join(home, "files");
fs.mkdirSync(files);
const secondKey = `sk-e2e-slow-${randomBytes(12).toString("hex")}`;
const logs = [];
const children = [];
let browser;
let secondUrl;

const text = (selector) => textOf(browser, selector);
const screenshot = (name) => saveWindow(browser, `create-${name}`);
const $ = (selector) => browser.$(selector);

const navigate = (page) => pages.navigate(browser, page);
const DOCS = path.resolve(import.meta.dirname, "../../docs");

/** Saves the window, and with CYBERBARA_UPDATE_DOCS=1 a copy in docs/ (the README shows it). */
async function docsShot(name) {
  const file = await screenshot(name);
  if (process.env.CYBERBARA_UPDATE_DOCS === "1") fs.copyFileSync(file, path.join(DOCS, `create-${name}.png`));
}

/**
 * The results strip's tiles as the user sees them: task id, state, whether the thumbnail
 * is a loaded image, and whether the tile lies inside the window (nothing scrolled).
 */
const resultTiles = () =>
  browser.execute(() =>
    [...document.querySelectorAll('[data-testid="session-result"]')].map((tile) => {
      const img = tile.querySelector('[data-testid="result-thumb"]');
      const box = tile.getBoundingClientRect();
      return {
        id: tile.dataset.taskId,
        state: tile.dataset.state,
        loaded: !!img && img.complete && img.naturalWidth > 0,
        inView: box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth,
      };
    }),
  );

/** A real PNG made by ImageMagick (photographic noise makes it a few MB when large). */
function png(name, size, noise = false) {
  const file = path.join(files, name);
  const args = noise
    ? ["-size", size, "xc:", "+noise", "Random", "-depth", "8", file]
    : ["-size", size, "gradient:navy-orange", file];
  const made = spawnSync("convert", args);
  assert.equal(made.status, 0, `convert failed: ${made.stderr}`);
  return file;
}

const startCreate = (model, prompt) => pages.startCreate(browser, model, prompt);
const setBatch = (n) => pages.setBatch(browser, n);

/** Hands `paths` to the window's drop handler: the same code a drop from the file manager runs. */
async function drop(paths) {
  await browser.execute((p) => window.__TAURI_INTERNALS__.invoke("simulate_drop", { args: { paths: p } }), paths);
}

const generate = () => pages.generate(browser);
const rowsFor = (words) => pages.taskRows(browser, words);

/** The Sandbox profile's balance (not another profile's, shown before a switch). */
async function balance() {
  const shown = await pages.waitForBalance(browser, "sandbox", /^[\d,]+$/, 60_000);
  return Number(shown.replace(/,/g, ""));
}

before(async () => {
  const env = appEnv(home);
  // A second deployment with test controls, to slow an upload down enough to see it move.
  const keyFile = path.join(home, "second.key");
  fs.writeFileSync(keyFile, secondKey);
  const sandbox = start(
    SANDBOX,
    ["--addr", "127.0.0.1:0", "--api-key-file", keyFile, "--credits", "1000", "--test-controls"],
    env,
    "second-sandbox",
    logs,
    children,
  );
  secondUrl = await waitFor("the second sandbox to listen", async () => {
    if (sandbox.exitCode !== null) throw new Error(`cyberbara-sandbox exited with ${sandbox.exitCode}`);
    return logs.join("").match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
  });
  browser = await openSession(await startDriver(env, logs, children), APP);
  await pages.waitForBalance(browser, "sandbox", "500", 60_000);
});

after(async () => {
  try {
    await browser?.deleteSession();
  } finally {
    await stopAll(children);
    fs.writeFileSync(path.join(home, "e2e-create.log"), logs.join(""));
  }
});

test("a text-to-image Batch of 2 is quoted, created and followed to success", async () => {
  const before = await balance();
  await startCreate("nano-banana-pro", "A lighthouse at dusk, oil on canvas");
  await setBatch(2);
  const quote = await pages.waitForQuote(browser, "nano-banana-pro", 2);
  assert.match(quote, /^16 credits · [\d,]+ left after \(2 × 8\)$/);
  await screenshot("01-filled-with-quote");
  await browser.setWindowSize(1280, 800);
  await generate();
  await pages.waitForBalance(browser, "sandbox", (before - 16).toLocaleString("en-US"));

  // Without leaving Create: both tasks at once in the results strip, then their pictures.
  await waitFor("two tiles in the results strip", async () => (await resultTiles()).length === 2, 10_000);
  const tiles = await waitFor("both results as loaded thumbnails", async () => {
    const shown = await resultTiles();
    return shown.length === 2 && shown.every((t) => t.state === "succeeded" && t.loaded) ? shown : false;
  }, 90_000);
  assert.equal(await browser.execute(() => document.querySelector('[data-testid="generate"]') !== null), true, "still on Create");
  assert.deepEqual(tiles.map((t) => t.inView), [true, true], "the results are in view at 1280×800 without scrolling");
  await docsShot("results-1280x800");

  // One opens in the viewer, which walks both.
  await (await $(`${byTestId("session-result")}[data-task-id="${tiles[0].id}"] ${byTestId("result-open")}`)).click();
  await waitFor("the viewer on the first result", async () => {
    const viewer = await $(byTestId("viewer"));
    return (await viewer.isExisting()) && (await text(byTestId("viewer-position"))) === "1 of 2";
  }, 10_000);
  await browser.keys("Escape");
  await waitFor("the viewer to close", async () => !(await (await $(byTestId("viewer"))).isExisting()), 5000);

  // Still usable at the window's minimum size.
  await browser.setWindowSize(880, 560);
  await waitFor("the smaller window", async () => (await browser.execute(() => window.innerWidth)) <= 900, 5000);
  await waitFor("the results in view at 880×560", async () => (await resultTiles()).every((t) => t.inView && t.loaded), 5000);
  await docsShot("results-880x560");
  await browser.setWindowSize(1180, 760);

  const taskIds = tiles.map((t) => t.id).sort();
  await navigate("activity");
  await waitFor("both tasks to succeed", async () => {
    const rows = await rowsFor("A lighthouse at dusk");
    return rows.length === 2 && rows.every((r) => r.state === "succeeded");
  }, 90_000);
  const [first] = await rowsFor("A lighthouse at dusk");
  assert.equal(((await (await first.row.$(byTestId("task-status"))).getProperty("textContent")) ?? "").trim().startsWith("Succeeded"), true);
  assert.match(((await (await first.row.$(byTestId("task-cost"))).getProperty("textContent")) ?? "").trim(), /^8 credits/);
  // The same two outputs as thumbnails in their rows, not file names.
  const activityThumbs = await waitFor("the two rows' thumbnails", async () => {
    const shown = await browser.execute((ids) =>
      ids.map((id) => {
        const row = document.querySelector(`[data-testid="task-row"][data-task-id="${id}"]`);
        const img = row?.querySelector('[data-testid="task-thumb"] img');
        return { loaded: !!img && img.complete && img.naturalWidth > 0, names: !!row?.querySelector('[data-testid="task-outputs"]') };
      }), taskIds);
    return shown.every((t) => t.loaded) ? shown : false;
  }, 30_000);
  assert.deepEqual(activityThumbs, [{ loaded: true, names: false }, { loaded: true, names: false }]);
  await screenshot("02-activity-batch");
});

test("an image-to-video task takes its reference from the window's drop handler", async () => {
  const reference = png("first-frame.png", "640x360");
  await startCreate("kling-2.6", "[sandbox:ms=4000] The lighthouse beam sweeps across the bay");
  await setBatch(1);
  await drop([reference]);
  const slot = byTestId("slot-image_input");
  await waitFor("the reference to upload", async () => {
    const tile = await $(`${slot} ${byTestId("reference-tile")}`);
    return (await tile.isExisting()) && (await tile.getAttribute("data-state")) === "ready";
  }, 30_000);
  assert.match(await text(`${slot} ${byTestId("slot-label")}`), /first frame/);
  // The chosen option, not the select's text (every option's, "image-to-video" among them).
  await waitFor(
    "the scene inferred as image-to-video",
    async () => {
      const scene = await pages.selectedOption(browser, byTestId("scene-select"));
      return scene?.value === "" && scene.text === "Automatic (image-to-video)";
    },
    10_000,
  );
  // This form's price (kling-2.6, Batch 1), not the one left from the previous test.
  const quote = await pages.waitForQuote(browser, "kling-2.6", 1);
  assert.match(quote, /^[\d,]+ credits · [\d,]+ left after/);
  await screenshot("03-image-to-video");
  await generate();

  await navigate("activity");
  await waitFor("the video task to succeed", async () => {
    const rows = await rowsFor("beam sweeps across the bay");
    return rows.length === 1 && rows[0].state === "succeeded";
  }, 90_000);
  const [row] = await rowsFor("beam sweeps across the bay");
  assert.match(((await (await row.row.$(byTestId("task-scene"))).getProperty("textContent")) ?? ""), /image-to-video/);
});

test("a failed task shows as Failed, then as refunded once the credits are back", async () => {
  const before = await balance();
  await startCreate("nano-banana-pro", "[sandbox:fail] A castle that will not be drawn");
  await setBatch(1);
  assert.match(await pages.waitForQuote(browser, "nano-banana-pro", 1), /^8 credits · /);
  await generate();
  await pages.waitForBalance(browser, "sandbox", (before - 8).toLocaleString("en-US"));
  await navigate("activity");
  await waitFor("the task to fail", async () => (await rowsFor("A castle that will not"))[0]?.state === "failed", 60_000);
  const [row] = await rowsFor("A castle that will not");
  await waitFor("the refund to show", async () => (await row.row.$(byTestId("task-refunded"))).isExisting(), 60_000);
  assert.match(((await (await row.row.$(byTestId("task-status"))).getProperty("textContent")) ?? "").trim(), /^Failed/);
  await pages.waitForBalance(browser, "sandbox", before.toLocaleString("en-US"), 60_000);
  await screenshot("04-activity-failed-refunded");
});

test("an upload shows its progress and can be cancelled", async () => {
  // Use the second deployment, stalled for a few seconds on uploads.
  await navigate("settings");
  await (await $(byTestId("add-profile"))).click();
  await (await $("#profile-name")).setValue("Slow uploads");
  await (await $("#profile-url")).setValue(secondUrl);
  await (await $("#profile-key")).setValue(secondKey);
  await (await $(byTestId("add-profile-save"))).click();
  const card = `[data-testid="profile-card"][data-profile-name="Slow uploads"]`;
  await (await $(card)).waitForExist({ timeout: 10_000 });
  const slowId = await (await $(card)).getAttribute("data-profile-id");
  await (await $(`${card} ${byTestId("profile-use")}`)).click();
  await pages.waitForBalance(browser, slowId, "1,000");
  const stalled = await fetch(`${secondUrl}/_sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "stall", ms: 20_000, path_prefix: "/api/v1/uploads" }),
  });
  assert.equal(stalled.ok, true);

  const big = png("noise.png", "1500x1500", true);
  await startCreate("nano-banana-pro", "A lighthouse, reimagined");
  await setBatch(1);
  await drop([big]);
  const tile = `${byTestId("slot-image_input")} ${byTestId("reference-tile")}`;
  await waitFor("the upload to start", async () => (await (await $(tile)).getAttribute("data-state")) === "uploading", 20_000);
  await (await $(`${tile} ${byTestId("upload-progress")}`)).waitForExist({ timeout: 10_000 });
  await screenshot("05-upload-progress");
  await (await $(`${tile} ${byTestId("upload-cancel")}`)).click();
  await waitFor("the cancelled upload to go", async () => !(await (await $(tile)).isExisting()), 10_000);

  await fetch(`${secondUrl}/_sandbox/faults`, { method: "DELETE" });
  await navigate("settings");
  await (await $(byTestId("profile-switcher"))).selectByAttribute("value", "sandbox");
  await pages.waitForBalance(browser, "sandbox");
});

test("a preset saved, the form cleared, and the preset applied brings model, options and prompt back", async () => {
  await startCreate("nano-banana-pro", "A preset lighthouse, watercolour");
  await setBatch(3);
  await (await $(byTestId("preset-save"))).click();
  const name = await $(byTestId("preset-name"));
  await name.setValue("Watercolour lighthouse");
  await (await $(byTestId("preset-name-ok"))).click();
  await waitForText(browser, byTestId("preset-message"), "Saved the preset Watercolour lighthouse.", 10_000);

  // Another model, another prompt, Batch 1: the preset must bring all of it back.
  await startCreate("veo-3.1-fast", "Something else entirely");
  await setBatch(1);
  const select = await $(byTestId("preset-select"));
  await waitFor("the preset in the picker", async () => (await select.getText()).includes("Watercolour lighthouse"), 10_000);
  const id = await browser.execute(
    () => [...document.querySelectorAll('[data-testid="preset-select"] option')].find((o) => o.textContent.includes("Watercolour lighthouse"))?.value,
  );
  await select.selectByAttribute("value", id);
  await (await $(byTestId("preset-apply"))).click();
  await waitForText(browser, byTestId("preset-message"), "Applied Watercolour lighthouse.", 10_000);
  await waitFor("the preset's model, prompt and Batch", async () => {
    const model = await (await $(byTestId("model-picker"))).getValue();
    const prompt = await (await $(byTestId("prompt"))).getValue();
    const batch = await (await $(byTestId("batch"))).getValue();
    return model === "nano-banana-pro" && prompt === "A preset lighthouse, watercolour" && batch === "3";
  }, 10_000);
  await setBatch(1);
});
