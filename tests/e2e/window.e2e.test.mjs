// The window itself: follows the OS's dark theme, remembers its size and position across
// launches, and a second launch hands over to the running instance instead of opening
// another window. Same harness and environment as app.e2e.test.mjs.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  appEnv,
  byTestId,
  openSession,
  requiredEnv,
  screenshot,
  startDriver,
  stopAll,
  waitFor,
  waitForText,
} from "./harness.mjs";

const APP = requiredEnv("CYBERBARA_APP_BINARY");
const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-window-"));
// GTK's dark variant is what GNOME's "dark style" sets; WebKitGTK maps it to prefers-color-scheme.
const env = appEnv(home, { GTK_THEME: "Adwaita:dark" });
const logs = [];
const children = [];

function windowIds() {
  const out = spawnSync("xdotool", ["search", "--name", "^CyberBara Studio$"], { encoding: "utf8" });
  return out.status === 0 ? out.stdout.trim().split("\n").filter(Boolean) : [];
}

function geometry(id) {
  const out = spawnSync("xdotool", ["getwindowgeometry", "--shell", id], { encoding: "utf8" }).stdout;
  const value = (key) => Number(out.match(new RegExp(`${key}=(\\d+)`))[1]);
  return { x: value("X"), y: value("Y"), width: value("WIDTH"), height: value("HEIGHT") };
}

after(() => stopAll(children));

test("dark theme, one instance, and the window comes back where it was left", async () => {
  const port = await startDriver(env, logs, children);
  let browser = await openSession(port, APP);
  await waitForText(browser, byTestId("balance-value"), /^500$/, 60_000);
  const background = await browser.execute(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(16, 18, 25)", "the dark palette is active");
  await (await browser.$(byTestId("nav-settings"))).click();
  await (await browser.$(byTestId("page-settings"))).waitForExist({ timeout: 5000 });
  await waitForText(browser, byTestId("profile-url"), "http://127.0.0.1:");
  await screenshot(browser, "10-dark-settings");

  // A second launch must not open a second window.
  const [id] = await waitFor("the window to appear", () => windowIds());
  const second = spawn(APP, [], { env, stdio: "ignore" });
  const code = await new Promise((resolve) => second.on("exit", resolve));
  assert.equal(code, 0, "the second instance hands over and exits");
  assert.deepEqual(windowIds(), [id], "still exactly one window");

  spawnSync("xdotool", ["windowsize", id, "1000", "680"]);
  spawnSync("xdotool", ["windowmove", id, "60", "40"]);
  const placed = await waitFor("the new geometry", () => {
    const g = geometry(id);
    return g.width === 1000 && g.height === 680 ? g : false;
  });
  // The app saves the geometry once the window settles; wait for that file, not a clock.
  const stateFile = path.join(home, "config", "app.cyberbara.studio", ".window-state.json");
  await waitFor("the settled geometry to be saved", () => {
    try {
      const saved = JSON.parse(fs.readFileSync(stateFile, "utf8")).main;
      return saved.width === placed.width && saved.height === placed.height && saved.x === placed.x;
    } catch {
      return false;
    }
  });
  await browser.deleteSession();

  browser = await openSession(port, APP);
  await waitForText(browser, byTestId("balance-value"), /^500$/, 60_000);
  const [again] = await waitFor("the window to reappear", () => windowIds());
  const restored = geometry(again);
  assert.equal(restored.width, placed.width);
  assert.equal(restored.height, placed.height);
  assert.equal(restored.x, placed.x);
  assert.equal(restored.y, placed.y);
  await browser.deleteSession();
});
