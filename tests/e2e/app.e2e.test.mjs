// Drives the real CyberBara Studio binary (front end embedded) through tauri-driver and
// WebKitWebDriver. Run by scripts/test-all.sh under Xvfb and a private D-Bus session with
// an unlocked gnome-keyring; needs CYBERBARA_APP_BINARY and CYBERBARA_SANDBOX_BINARY.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  SERVICE,
  SHOTS,
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
  waitForText as waitForTextIn,
} from "./harness.mjs";
import * as pages from "./pages.mjs";

const APP = requiredEnv("CYBERBARA_APP_BINARY");
const SANDBOX = requiredEnv("CYBERBARA_SANDBOX_BINARY");

const home = fs.mkdtempSync(path.join(os.tmpdir(), "cyberbara-e2e-home-"));
const dataDir = path.join(home, "data", SERVICE);
const secondKey = `sk-e2e-second-${randomBytes(12).toString("hex")}`;
const wrongKey = `sk-e2e-wrong-${randomBytes(12).toString("hex")}`;
const logs = [];
const children = [];
let browser;
let secondUrl;
let driverPort;

function secretToolLookup(username) {
  const out = spawnSync("secret-tool", ["lookup", "service", SERVICE, "username", username], { encoding: "utf8" });
  return out.status === 0 ? out.stdout.trim() : null;
}

let shotIndex = 0;
async function screenshot(name) {
  shotIndex += 1;
  await saveWindow(browser, `${String(shotIndex).padStart(2, "0")}-${name}`);
}

const card = (name) => `[data-testid="profile-card"][data-profile-name="${name}"]`;
const text = (selector) => textOf(browser, selector);
const waitForText = (selector, expected, timeoutMs) => waitForTextIn(browser, selector, expected, timeoutMs);

const navigate = (page) => pages.navigate(browser, page);

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

before(async () => {
  const env = appEnv(home);
  // A second, separate sandbox plays the part of a real deployment.
  // Its key comes from a file, so it appears neither in `ps` nor in the captured logs.
  const keyFile = path.join(home, "second.key");
  fs.writeFileSync(keyFile, secondKey);
  const sandbox = start(
    SANDBOX,
    ["--addr", "127.0.0.1:0", "--api-key-file", keyFile, "--credits", "1234", "--data-dir", path.join(home, "second")],
    env,
    "second-sandbox",
    logs,
    children,
  );
  secondUrl = await waitFor("the second sandbox to listen", async () => {
    const match = logs.join("").match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (sandbox.exitCode !== null) throw new Error(`cyberbara-sandbox exited with ${sandbox.exitCode}`);
    return match?.[1];
  });
  driverPort = await startDriver(env, logs, children);
  browser = await openSession(driverPort, APP);
});

after(async () => {
  try {
    await browser?.deleteSession();
  } finally {
    await stopAll(children);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, "e2e.log"), logs.join(""));
  }
});

test("first start lands on the Sandbox profile with 500 credits", async () => {
  assert.equal(await browser.getTitle(), "CyberBara Studio");
  await pages.waitForBalance(browser, "sandbox", "500", 60_000);
  const switcher = await browser.$(byTestId("profile-switcher"));
  assert.equal(await switcher.getValue(), "sandbox");
  await waitForText(byTestId("sandbox-banner"), "local sandbox");
  // The Sandbox's key is made per launch and kept in memory only: nothing in the keychain.
  assert.equal(secretToolLookup("sandbox"), null);
  await screenshot("create-sandbox");
});

test("every page says what it is for", async () => {
  // Nothing made yet: the Gallery says how to make the first output.
  await navigate("gallery");
  await (await browser.$(byTestId("gallery-empty"))).waitForDisplayed({ timeout: 10_000 });
  await screenshot("gallery-empty");
  // Nothing spent yet on a first start: Usage says so and offers Create.
  await navigate("usage");
  await (await browser.$(byTestId("usage-empty"))).waitForDisplayed({ timeout: 10_000 });
  await screenshot("usage-empty");
  await navigate("activity");
  await (await browser.$(byTestId("activity-empty"))).waitForDisplayed({ timeout: 10_000 });
  await screenshot("activity-empty");
  await navigate("settings");
  await waitForText(`${card("Sandbox")} ${byTestId("profile-url")}`, "http://127.0.0.1:");
  await screenshot("settings");
});

/** Adds a user profile through Settings and returns its id. */
async function addProfile(name, url, key) {
  await navigate("settings");
  await (await browser.$(byTestId("add-profile"))).click();
  await (await browser.$("#profile-name")).setValue(name);
  const field = await browser.$("#profile-url");
  await field.clearValue();
  await field.setValue(url);
  await (await browser.$("#profile-key")).setValue(key);
  await (await browser.$(byTestId("add-profile-save"))).click();
  await waitForText(`${card(name)} ${byTestId("profile-url")}`, url);
  return (await browser.$(card(name))).getAttribute("data-profile-id");
}

async function backToSandbox() {
  await (await browser.$(byTestId("profile-switcher"))).selectByAttribute("value", "sandbox");
  // The Sandbox's balance, not the one of the profile left.
  await pages.waitForBalance(browser, "sandbox");
  assert.equal(await (await browser.$(byTestId("profile-switcher"))).getValue(), "sandbox");
}

test("adding a profile for a second deployment, testing it and switching to it", async () => {
  await navigate("settings");
  await (await browser.$(byTestId("add-profile"))).click();
  await (await browser.$("#profile-name")).setValue("Second sandbox");
  const url = await browser.$("#profile-url");
  await url.clearValue();
  await url.setValue(secondUrl);
  await (await browser.$("#profile-key")).setValue(secondKey);
  await (await browser.$(byTestId("draft-test"))).click();
  await waitForText(byTestId("draft-test-result"), "1,234 credits");
  await screenshot("add-profile-tested");
  await (await browser.$(byTestId("add-profile-save"))).click();
  await waitForText(`${card("Second sandbox")} ${byTestId("profile-url")}`, secondUrl);

  const id = await (await browser.$(card("Second sandbox"))).getAttribute("data-profile-id");
  assert.ok(id, "the card names its profile id");
  assert.equal(secretToolLookup(`profile:${id}`), secondKey, "the key is in the keychain");
  const hint = await text(`${card("Second sandbox")} ${byTestId("key-hint")}`);
  assert.equal(hint, `sk-…${secondKey.slice(-4)}`);

  await (await browser.$(`${card("Second sandbox")} ${byTestId("profile-test")}`)).click();
  await waitForText(`${card("Second sandbox")} ${byTestId("profile-test-result")}`, "1,234 credits");

  await (await browser.$(`${card("Second sandbox")} ${byTestId("profile-use")}`)).click();
  await pages.waitForBalance(browser, id, "1,234");
  assert.equal(await (await browser.$(byTestId("profile-switcher"))).getValue(), id);
  assert.equal(await (await browser.$(byTestId("sandbox-banner"))).isExisting(), false);
  await screenshot("switched-to-second");
  await backToSandbox();
});

test("a wrong key shows the API's invalid-key sentence", async () => {
  const name = "Wrong key";
  const id = await addProfile(name, secondUrl, secondKey);
  const profile = card(name);
  await (await browser.$(`${profile} ${byTestId("replace-key")}`)).click();
  await (await browser.$(`${profile} ${byTestId("replace-key-input")}`)).setValue(wrongKey);
  await (await browser.$(`${profile} ${byTestId("replace-key-save")}`)).click();
  await waitForText(`${profile} ${byTestId("key-hint")}`, wrongKey.slice(-4));
  assert.equal(secretToolLookup(`profile:${id}`), wrongKey);

  await (await browser.$(`${profile} ${byTestId("profile-test")}`)).click();
  const shown = await waitForText(`${profile} ${byTestId("profile-test-result")}`, "API key was rejected");
  assert.ok(!shown.includes(wrongKey), "the error never echoes the key");
  await (await browser.$(`${profile} ${byTestId("profile-use")}`)).click();
  // The Sandbox (active before) has no balance error: once this profile is active, one is its.
  await waitFor("the wrong-key profile to be active", async () => (await (await browser.$(byTestId("profile-switcher"))).getValue()) === id);
  await (await browser.$(byTestId("balance"))).click();
  await (await browser.$(byTestId("balance-error"))).waitForExist({ timeout: 10_000 });
  await screenshot("wrong-key");
  await backToSandbox();
});

test("deleting the profile removes its keychain entry", async () => {
  const name = "To delete";
  const id = await addProfile(name, secondUrl, secondKey);
  const profile = card(name);
  await (await browser.$(`${profile} ${byTestId("profile-use")}`)).click();
  await pages.waitForBalance(browser, id, "1,234");
  await (await browser.$(`${profile} ${byTestId("profile-delete")}`)).click();
  await (await browser.$(`${profile} ${byTestId("profile-delete-confirm")}`)).click();
  await waitFor("the card to disappear", async () => !(await (await browser.$(profile)).isExisting()));
  assert.equal(secretToolLookup(`profile:${id}`), null, "the keychain entry is gone");
  await pages.waitForBalance(browser, "sandbox");
  assert.equal(await (await browser.$(byTestId("profile-switcher"))).getValue(), "sandbox");
  await screenshot("after-delete");
});

test("no key appears under the app's data directory or in the logs", async () => {
  // Keys of its own go through the app first, so this holds whatever ran before.
  await addProfile(`Keys ${randomBytes(3).toString("hex")}`, secondUrl, secondKey);
  await browser.deleteSession();
  browser = undefined;
  // Everything the app writes is written once it has exited.
  await waitFor("the app to exit", () => spawnSync("pgrep", ["-f", APP]).status !== 0, 15_000);
  const files = filesUnder(dataDir);
  assert.ok(files.some((f) => f.endsWith("profiles.json")), `the app wrote its data under ${dataDir}`);
  const secrets = { second: secondKey, wrong: wrongKey };
  // Everything under the test's HOME except the file the test itself wrote the key to.
  for (const file of filesUnder(home).filter((f) => path.basename(f) !== "second.key")) {
    const bytes = fs.readFileSync(file);
    for (const [name, secret] of Object.entries(secrets)) {
      assert.equal(bytes.includes(secret), false, `the ${name} key was found in ${file}`);
    }
  }
  const captured = logs.join("");
  assert.ok(captured.length > 0, "logs were captured");
  for (const [name, secret] of Object.entries(secrets)) {
    // The second sandbox was given its key in a file, not on the command line or in the logs.
    assert.equal(captured.includes(secret), false, `the ${name} key appeared in the logs`);
  }
  browser = await openSession(driverPort, APP);
});
