// The Gallery on the real window, with the built-in Sandbox profile: outputs of finished
// tasks appear as tiles; the lightbox draws an image (naturalWidth > 0) and plays a video
// from the loopback media server (readyState >= 2, a duration, a seek that lands); Save as…
// writes a copy byte-identical to the library's file (the save dialog answered through the
// test-only hook); favourite, delete and Undo. Then a second launch over a seeded library of
// 10,000 items: the virtual grid keeps at most 200 tile nodes wherever it is scrolled.
// Screenshots of the grid and of the lightbox with an image and a video go to docs/ when
// CYBERBARA_UPDATE_DOCS=1 (otherwise only to the screenshot folder, so a run leaves the
// repository as it was).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
// seed-library is built beside the app (cargo test builds every binary of the workspace).
const SEED = process.env.CYBERBARA_SEED_BINARY ?? path.join(path.dirname(APP), "seed-library");
const DOCS = path.resolve(import.meta.dirname, "../../docs");
const MAX_NODES = 200;

const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-gallery-"));
const logs = [];
let children = [];
let browser;

const $ = (selector) => browser.$(selector);
const waitForText = (selector, expected, timeoutMs) => waitForTextIn(browser, selector, expected, timeoutMs);
const screenshot = (name) => saveWindow(browser, `gallery-${name}`);

/** Saves the window, and with CYBERBARA_UPDATE_DOCS=1 a copy in docs/ (the README shows it). */
async function docsShot(name) {
  const file = await screenshot(name);
  if (process.env.CYBERBARA_UPDATE_DOCS === "1") fs.copyFileSync(file, path.join(DOCS, `gallery-${name}.png`));
}

/** Calls a Tauri command from the page, as the UI does, and returns its answer. */
async function invoke(cmd, args) {
  const answer = await browser.executeAsync(
    (command, payload, done) => {
      window.__TAURI_INTERNALS__
        .invoke(command, payload)
        .then((value) => done({ value }))
        .catch((error) => done({ error: error?.message ?? JSON.stringify(error) }));
    },
    cmd,
    args === undefined ? {} : { args },
  );
  if (answer.error) throw new Error(`${cmd}: ${answer.error}`);
  return answer.value;
}

/** The tiles in the DOM, as data. */
async function tiles() {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="gallery-tile"]')].map((t) => ({
      key: t.dataset.key,
      state: t.dataset.state,
      media: t.dataset.media,
      favourite: t.dataset.favourite === "true",
      thumb: t.dataset.thumb === "true",
    })),
  );
}

const tile = (key) => $(`[data-testid="gallery-tile"][data-key="${key}"]`);

async function launch(dataHome) {
  const port = await startDriver(appEnv(dataHome), logs, children);
  browser = await openSession(port, APP);
  await pages.waitForBalance(browser, "sandbox", /^[\d,]+$/, 60_000);
}

async function quit() {
  try {
    await browser?.deleteSession();
  } finally {
    browser = undefined;
    await stopAll(children);
    children = [];
  }
}

const made = { image: null, video: null };
/** The seeded 10,000-item library, removed once the app that uses it has quit. */
let seededHome = null;

before(async () => {
  await launch(home);
  await pages.waitForBalance(browser, "sandbox", "500", 60_000);
  await pages.startCreate(browser, "nano-banana-pro", "[sandbox:ms=300] A lighthouse for the gallery");
  await pages.setBatch(browser, 1);
  const price = pages.quotedCredits(await pages.waitForQuote(browser, "nano-banana-pro", 1));
  await pages.generate(browser);
  await pages.waitForBalance(browser, "sandbox", String(500 - price));
  await pages.startCreate(browser, "veo-3.1-fast", "[sandbox:ms=300] Waves for the gallery");
  await pages.generate(browser);
});

after(async () => {
  try {
    await quit();
  } finally {
    fs.writeFileSync(path.join(home, "e2e-gallery.log"), logs.join(""));
    if (seededHome) fs.rmSync(seededHome, { recursive: true, force: true });
  }
});

test("outputs of finished tasks appear in the Gallery, downloaded, with a thumbnail", async () => {
  await pages.navigate(browser, "gallery");
  const shown = await waitFor(
    "an image and a video tile, downloaded, the image with its thumbnail",
    async () => {
      const all = await tiles();
      const image = all.find((t) => t.media === "image" && t.state === "ready" && t.thumb);
      const video = all.find((t) => t.media === "video" && t.state === "ready");
      return all.length === 2 && image && video ? { image, video } : false;
    },
    90_000,
  );
  const records = await invoke("gallery_records", { keys: [shown.image.key, shown.video.key] });
  assert.equal(records.length, 2);
  assert.equal(records[0].task.prompt, "[sandbox:ms=300] A lighthouse for the gallery");
  assert.equal(records[1].task.prompt, "[sandbox:ms=300] Waves for the gallery");
  for (const record of records) {
    assert.ok(fs.existsSync(record.item.path), `${record.item.path} is in the library`);
    assert.match(record.file_url, /^http:\/\/127\.0\.0\.1:\d+\//, "media comes from the loopback server");
  }
  made.image = { key: shown.image.key, path: records[0].item.path };
  made.video = { key: shown.video.key, path: records[1].item.path };
  // The thumbnail really drew (a JPEG from the cache, not the full file).
  const thumb = await browser.execute(
    (key) => {
      const img = document.querySelector(`[data-key="${key}"] img`);
      return img ? { width: img.naturalWidth, src: img.src } : null;
    },
    made.image.key,
  );
  assert.ok(thumb && thumb.width > 0 && thumb.width <= 384, JSON.stringify(thumb));
  assert.match(thumb.src, /\/cache\/thumbs\/\d+\.jpg$/);
});

test("the lightbox shows the image at its full size", async () => {
  assert.ok(made.image, "the first test found the image");
  await (await tile(made.image.key)).click();
  await (await $(byTestId("viewer"))).waitForDisplayed({ timeout: 10_000 });
  const image = await waitFor(
    "the full image to be decoded",
    async () => {
      const state = await browser.execute(() => {
        const img = document.querySelector('[data-testid="viewer-image"]');
        return img ? { complete: img.complete, width: img.naturalWidth, height: img.naturalHeight, src: img.src } : null;
      });
      return state?.complete && state.width > 0 ? state : false;
    },
    20_000,
  );
  assert.ok(image.height > 0);
  assert.match(image.src, /\/library\//, "the viewer loads the library's copy");
  assert.match(await textOf(browser, byTestId("panel-model")), /nano-banana-pro/);
  assert.match(await textOf(browser, byTestId("panel-cost")), /\d+ credits/);
  await docsShot("image");
});

test("Save as… writes a copy byte-identical to the library's file", async () => {
  const target = path.join(home, "saved", "lighthouse-copy.png");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await invoke("simulate_dialog", { answers: [target] });
  await (await $(byTestId("viewer-save"))).click();
  await waitForText(byTestId("gallery-notice"), /^Saved .*lighthouse-copy\.png\.$/, 20_000);
  await waitFor("the saved file", async () => fs.existsSync(target));
  const copy = fs.readFileSync(target);
  const original = fs.readFileSync(made.image.path);
  assert.ok(original.length > 1000);
  assert.ok(copy.equals(original), `the copy (${copy.length} bytes) differs from the library's file (${original.length} bytes)`);
});

test("F favourites in the viewer; Delete removes the item and Undo brings it back", async () => {
  await browser.execute(() => document.querySelector('[data-testid="viewer"]').focus());
  await browser.keys(["f"]);
  await waitFor("the favourite to be recorded", async () => {
    const [record] = await invoke("gallery_records", { keys: [made.image.key] });
    return record?.item.favourite === true;
  });
  assert.equal(await (await $(byTestId("viewer-favourite"))).getAttribute("aria-pressed"), "true");
  // Escape is the webview's own close request to the modal <dialog>; focus goes back to the
  // tile that opened it.
  await browser.keys(["Escape"]);
  await (await $(byTestId("viewer"))).waitForExist({ reverse: true, timeout: 5000 });
  await waitFor("focus back on the image's tile", async () =>
    browser.execute((key) => document.activeElement?.closest('[data-testid="gallery-tile"]')?.dataset.key === key, made.image.key),
  );
  await waitFor("the tile's star", async () => (await tiles()).find((t) => t.key === made.image.key)?.favourite);

  // Favourites only: just the image.
  await (await $(byTestId("filter-favourites"))).click();
  await waitFor("the favourites filter", async () => {
    const all = await tiles();
    return all.length === 1 && all[0].key === made.image.key;
  });
  await (await $(byTestId("filter-favourites"))).click();
  await waitFor("both tiles again", async () => (await tiles()).length === 2);

  // Delete from the viewer's keyboard.
  await clearSelection();
  await (await tile(made.image.key)).click();
  await (await $(byTestId("viewer"))).waitForDisplayed({ timeout: 5000 });
  await browser.execute(() => document.querySelector('[data-testid="viewer"]').focus());
  await browser.keys(["Delete"]);
  await waitFor("the image to leave the grid", async () => !(await tiles()).some((t) => t.key === made.image.key));
  await (await $(byTestId("undo-toast"))).waitForDisplayed({ timeout: 5000 });
  assert.ok(fs.existsSync(made.image.path), "the file stays until the Undo window closes");
  // The viewer (a modal dialog, now on the video) leaves the page behind it inert and under
  // it: Undo must be drawn inside it, on top, where a click lands.
  if (await (await $(byTestId("viewer"))).isExisting()) {
    const undoOnTop = await browser.execute(() => {
      const undo = document.querySelector('[data-testid="undo-delete"]');
      const box = undo.getBoundingClientRect();
      return !!undo.closest('[data-testid="viewer"]') && document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)?.closest('[data-testid="undo-delete"]') === undo;
    });
    assert.ok(undoOnTop, "Undo shows on top of the open viewer");
  }
  if (await (await $(byTestId("viewer"))).isExisting()) await browser.keys(["Escape"]);
  await (await $(byTestId("undo-delete"))).click();
  await waitFor("the image to come back", async () => (await tiles()).some((t) => t.key === made.image.key), 10_000);
  const [back] = await invoke("gallery_records", { keys: [made.image.key] });
  assert.equal(back.item.favourite, true, "Undo keeps the favourite");
  assert.ok(fs.existsSync(made.image.path));
});

/** Clears the selection (Undo selects what came back; a click would then select, not open). */
async function clearSelection() {
  const clear = await $(byTestId("selection-clear"));
  if (await clear.isExisting()) await clear.click();
  await clear.waitForExist({ reverse: true, timeout: 5000 });
}

test("the lightbox plays the video, and a seek lands", async () => {
  await clearSelection();
  await (await tile(made.video.key)).click();
  await (await $(byTestId("viewer-video"))).waitForExist({ timeout: 10_000 });
  const playing = await waitFor(
    "the video to have data",
    async () => {
      const state = await browser.execute(() => {
        const video = document.querySelector('[data-testid="viewer-video"]');
        return video
          ? { readyState: video.readyState, duration: video.duration, error: video.error?.code ?? null, src: video.currentSrc }
          : null;
      });
      if (state?.error) throw new Error(`the video failed with MediaError ${state.error}`);
      return state && state.readyState >= 2 && state.duration > 0 ? state : false;
    },
    30_000,
  );
  assert.match(playing.src, /^http:\/\/127\.0\.0\.1:\d+\/.*\.mp4$/);
  const target = playing.duration / 2;
  const seek = await browser.executeAsync((to, done) => {
    const video = document.querySelector('[data-testid="viewer-video"]');
    video.pause();
    const timer = setTimeout(() => done({ timedOut: true, at: video.currentTime }), 10_000);
    video.addEventListener(
      "seeked",
      () => {
        clearTimeout(timer);
        done({ at: video.currentTime, readyState: video.readyState });
      },
      { once: true },
    );
    video.currentTime = to;
  }, target);
  assert.ok(!seek.timedOut, `the seek never finished: ${JSON.stringify(seek)}`);
  assert.ok(Math.abs(seek.at - target) < 0.5, `asked for ${target} s, landed at ${seek.at} s`);
  // The earlier "Saved …" notice would cover the controls in the picture.
  const notice = await $(byTestId("gallery-notice-dismiss"));
  if (await notice.isExisting()) await notice.click();
  // The player's controls show the new position on their next update.
  await new Promise((resolve) => setTimeout(resolve, 600));
  await docsShot("video");
  await (await $(byTestId("viewer-close"))).click();
  await (await $(byTestId("viewer"))).waitForExist({ reverse: true, timeout: 5000 });
});

test("the viewer and Run again are the webview's modal dialogs: Tab stays inside, Escape closes the top one", async () => {
  await clearSelection();
  await (await tile(made.image.key)).click();
  await (await $(byTestId("viewer"))).waitForDisplayed({ timeout: 5000 });
  assert.equal(await browser.execute(() => document.querySelector('[data-testid="viewer"]').matches(":modal")), true);
  await (await $(byTestId("viewer-run-again"))).click();
  const confirm = await $(byTestId("run-again-confirm"));
  await confirm.waitForDisplayed({ timeout: 5000 });
  await waitForText(byTestId("run-again-cost"), /credits are left after/, 20_000);
  assert.equal(await browser.execute(() => document.querySelector('[data-testid="run-again-confirm"]').matches(":modal")), true);
  // Tab cycles through the dialog's controls and never reaches the viewer behind it.
  const inside = [];
  for (let i = 0; i < 4; i += 1) {
    await browser.keys(["Tab"]);
    inside.push(await browser.execute(() => !!document.activeElement?.closest('[data-testid="run-again-confirm"]')));
  }
  assert.deepEqual(inside, [true, true, true, true]);
  await browser.keys(["Escape"]);
  await confirm.waitForExist({ reverse: true, timeout: 5000 });
  assert.equal(await (await $(byTestId("viewer"))).isExisting(), true, "Escape closed only Run again");
  await waitFor("focus back in the viewer", async () =>
    browser.execute(() => !!document.activeElement?.closest('[data-testid="viewer"]')),
  );
  await browser.keys(["Escape"]);
  await (await $(byTestId("viewer"))).waitForExist({ reverse: true, timeout: 5000 });
});

test("Open in Gallery on a Usage row opens that task's output in the viewer, selected in the grid", async () => {
  const [record] = await invoke("gallery_records", { keys: [made.image.key] });
  await pages.navigate(browser, "usage");
  const button = await $(`[data-testid="usage-row"][data-task-id="${record.task.id}"] ${byTestId("usage-open-gallery")}`);
  await button.waitForExist({ timeout: 30_000 });
  await button.click();
  await waitFor("the viewer on the task's image", async () => {
    const viewer = await $(byTestId("viewer"));
    return (await viewer.isExisting()) && (await viewer.getAttribute("data-key")) === made.image.key;
  });
  await (await $(byTestId("page-gallery"))).waitForExist({ timeout: 5000 });
  await browser.keys(["Escape"]);
  await waitFor("the image selected in the grid", async () => (await (await tile(made.image.key)).getAttribute("aria-selected")) === "true");
  await clearSelection();
});

test("Settings → Library shows where the library is and what it holds", async () => {
  await pages.navigate(browser, "settings");
  await waitForText(byTestId("library-path"), path.join(home, "data", "app.cyberbara.studio", "library"), 10_000);
  const usage = await waitForText(byTestId("library-usage"), /^\d+ files/, 10_000);
  assert.ok(Number(usage.match(/^(\d+)/)[1]) >= 2, usage);
  await browser.execute(() => document.querySelector('[data-testid="library-settings"]').scrollIntoView({ block: "center" }));
  await screenshot("settings-library");
});

test("Batch 2 of one seedless prompt gives two different pictures, with two different thumbnails", async () => {
  // nano-banana-2 takes no seed: each task of the Batch must still be its own picture (issue 27).
  const prompt = "[sandbox:ms=300] Two kites from one batch";
  await pages.startCreate(browser, "nano-banana-2", prompt);
  await pages.setBatch(browser, 2);
  await pages.generate(browser);
  await pages.navigate(browser, "gallery");
  const earlier = new Set([made.image.key, made.video.key]);
  const batch = await waitFor(
    "the Batch's two images in the Gallery, downloaded, each with its thumbnail drawn",
    async () => {
      const fresh = (await tiles()).filter((t) => !earlier.has(t.key));
      if (fresh.length !== 2 || !fresh.every((t) => t.media === "image" && t.state === "ready" && t.thumb)) return false;
      const drawn = await browser.execute(
        (keys) =>
          keys.map((key) => {
            const img = document.querySelector(`[data-key="${key}"] img`);
            return img && img.complete && img.naturalWidth > 0 ? img.src : null;
          }),
        fresh.map((t) => t.key),
      );
      return drawn.every(Boolean) ? fresh.map((t, i) => ({ key: t.key, thumb: drawn[i] })) : false;
    },
    90_000,
  );
  const records = await invoke("gallery_records", { keys: batch.map((b) => b.key) });
  assert.deepEqual(
    records.map((r) => r.task.prompt),
    [prompt, prompt],
  );
  assert.notEqual(records[0].task.id, records[1].task.id, "two tasks");
  const files = records.map((r) => fs.readFileSync(r.item.path));
  assert.ok(files.every((f) => f.length > 1000));
  assert.ok(!files[0].equals(files[1]), "the two library files have the same bytes");
  // The thumbnails the tiles drew, read through the app's media URLs.
  const thumbs = await Promise.all(
    batch.map(async ({ thumb }) => {
      assert.match(thumb, /^http:\/\/127\.0\.0\.1:\d+\/.*\/cache\/thumbs\/\d+\.jpg$/);
      const reply = await fetch(thumb);
      assert.equal(reply.status, 200, thumb);
      return Buffer.from(await reply.arrayBuffer());
    }),
  );
  assert.ok(thumbs.every((t) => t.length > 0));
  assert.ok(!thumbs[0].equals(thumbs[1]), "the two thumbnails have the same bytes");
  await screenshot("batch-of-two");
});

test("with 10,000 items the grid keeps at most 200 tile nodes wherever it is scrolled", async () => {
  await quit();
  const seeded = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-gallery-10k-"));
  seededHome = seeded;
  const made = spawnSync(
    SEED,
    [
      "--data-dir",
      path.join(seeded, "data", "app.cyberbara.studio"),
      "--cache-dir",
      path.join(seeded, "cache", "app.cyberbara.studio"),
      "--items",
      "10000",
    ],
    { encoding: "utf8" },
  );
  assert.equal(made.status, 0, `seed-library failed: ${made.stderr}`);
  await launch(seeded);
  await pages.navigate(browser, "gallery");
  // 10,000 items and the seed's 3 failed tasks (which are tiles too).
  await waitFor(
    "the count of the seeded library",
    async () => Number((await textOf(browser, byTestId("gallery-count"))).match(/^([\d,]+) items/)?.[1].replace(/,/g, "")) >= 10_000,
    60_000,
  );

  const counts = [];
  for (const at of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) {
    const view = await browser.executeAsync((fraction, done) => {
      const grid = document.querySelector('[data-testid="gallery-grid"]');
      grid.scrollTop = fraction * (grid.scrollHeight - grid.clientHeight);
      // Two frames: the virtualizer hears the scroll, Svelte draws the rows.
      requestAnimationFrame(() =>
        requestAnimationFrame(() =>
          setTimeout(() => {
            const shown = [...grid.querySelectorAll('[data-testid="gallery-tile"]')];
            const box = grid.getBoundingClientRect();
            const visible = shown.filter((t) => {
              const r = t.getBoundingClientRect();
              return r.bottom > box.top && r.top < box.bottom;
            });
            done({ fraction, scrollTop: grid.scrollTop, nodes: shown.length, visible: visible.length, first: visible[0]?.dataset.key ?? null });
          }, 50),
        ),
      );
    }, at);
    counts.push(view);
  }
  for (const view of counts) {
    assert.ok(view.nodes <= MAX_NODES, `${view.nodes} tile nodes at ${view.fraction}: ${JSON.stringify(counts)}`);
    assert.ok(view.visible > 0, `nothing on screen at ${view.fraction}: ${JSON.stringify(counts)}`);
  }
  // Scrolling really moved through the list: every position shows other tiles.
  assert.equal(new Set(counts.map((c) => c.first)).size, counts.length, JSON.stringify(counts));

  // Back near the top for the screenshot (without the sandbox's banner above the grid), once
  // the thumbnails on screen have loaded.
  const banner = await $(byTestId("sandbox-banner-dismiss"));
  if (await banner.isExisting()) await banner.click();
  await browser.execute(() => {
    document.querySelector('[data-testid="gallery-grid"]').scrollTop = 0;
  });
  await waitFor(
    "the thumbnails on screen",
    async () =>
      browser.execute(() => {
        const imgs = [...document.querySelectorAll('[data-testid="tile-thumb"]')];
        return imgs.length > 10 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      }),
    30_000,
  );
  await docsShot("grid");
});
