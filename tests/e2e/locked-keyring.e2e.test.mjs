// The built-in Sandbox always works, found when the app was started as a new user would in a
// session whose Secret Service runs but whose keyring is locked and cannot be unlocked: here
// tauri-driver and the app get a D-Bus session bus of their own, where gnome-keyring is
// started by D-Bus activation with a fresh data folder and never unlocked. The Sandbox shows
// its balance and runs a task to success; saving a key for a user profile fails with one
// keychain notice that has Details and Try again.
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
  screenshot,
  startDriver,
  stopAll,
  waitFor,
  waitForText,
} from "./harness.mjs";
import * as pages from "./pages.mjs";

const APP = requiredEnv("CYBERBARA_APP_BINARY");
const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-locked-"));
const logs = [];
const children = [];
let browser;

before(async () => {
  // XDG_DATA_HOME under the fresh HOME: gnome-keyring finds no keyring there and, locked,
  // cannot create one without a prompt nobody answers.
  const env = appEnv(home);
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const runtime = path.join(home, "runtime");
  fs.mkdirSync(runtime, { mode: 0o700 });
  env.XDG_RUNTIME_DIR = runtime;
  const port = await startDriver(env, logs, children, ["dbus-run-session", "--"]);
  browser = await openSession(port, APP);
});

after(async () => {
  try {
    await browser?.deleteSession();
  } finally {
    await stopAll(children);
    fs.writeFileSync(path.join(home, "e2e-locked.log"), logs.join(""));
  }
});

test("with a locked keyring the Sandbox shows its balance and runs a task to success", async () => {
  await waitForText(browser, byTestId("balance-value"), /^500$/, 60_000);
  await (await browser.$(byTestId("nav-create"))).click();
  const picker = await browser.$(byTestId("model-picker"));
  await picker.waitForEnabled({ timeout: 30_000 });
  await picker.selectByAttribute("value", "nano-banana-pro");
  await (await browser.$(byTestId("prompt"))).setValue("A lighthouse seen through a locked window");
  const generate = await browser.$(byTestId("generate"));
  await waitFor("Generate to be enabled", async () => generate.isEnabled(), 30_000);
  await generate.click();
  await waitForText(browser, byTestId("balance-value"), /^492$/, 30_000);
  await (await browser.$(byTestId("nav-activity"))).click();
  await waitFor(
    "the task to succeed",
    async () => (await (await browser.$(byTestId("task-row"))).getAttribute("data-state")) === "succeeded",
    60_000,
  );
  await screenshot(browser, "locked-01-activity");
});

test("saving a key with a locked keyring says so once, with Details and Try again", async () => {
  const balance = await pages.waitForBalance(browser, "sandbox", /^[\d,]+$/, 60_000);
  await (await browser.$(byTestId("nav-settings"))).click();
  await (await browser.$(byTestId("add-profile"))).click();
  await (await browser.$("#profile-name")).setValue("Production");
  await (await browser.$("#profile-url")).setValue("https://api.example.com");
  await (await browser.$("#profile-key")).setValue("sk-locked-keyring-0123456789");
  await (await browser.$(byTestId("add-profile-save"))).click();
  const error = await waitForText(browser, byTestId("add-profile-error"), /keychain/i, 30_000);
  assert.match(error, /Try again/);
  const notice = await browser.$(byTestId("keychain-problem"));
  await notice.waitForExist({ timeout: 10_000 });
  assert.equal((await browser.$$(byTestId("keychain-problem"))).length, 1, "one notice, not a stack");
  await (await browser.$(byTestId("keychain-retry"))).waitForExist();
  await (await browser.$(byTestId("keychain-details"))).waitForExist();
  // The Sandbox is unaffected.
  assert.equal(await pages.waitForBalance(browser, "sandbox", /^[\d,]+$/, 10_000), balance);
  await screenshot(browser, "locked-02-keychain-notice");
});
