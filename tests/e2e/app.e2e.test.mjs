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
let sandboxKey;

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

async function navigate(page) {
  await (await browser.$(byTestId(`nav-${page}`))).click();
  await (await browser.$(byTestId(`page-${page}`))).waitForExist({ timeout: 5000 });
}

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
  const sandbox = start(
    SANDBOX,
    ["--addr", "127.0.0.1:0", "--api-key", secondKey, "--credits", "1234", "--data-dir", path.join(home, "second")],
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
  browser = await openSession(await startDriver(env, logs, children), APP);
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
  await waitForText(byTestId("balance-value"), /^500$/, 60_000);
  const switcher = await browser.$(byTestId("profile-switcher"));
  assert.equal(await switcher.getValue(), "sandbox");
  await waitForText(byTestId("sandbox-banner"), "local sandbox");
  sandboxKey = secretToolLookup("sandbox");
  assert.ok(sandboxKey && sandboxKey.length >= 20, "the sandbox key was generated into the keychain");
  await screenshot("create-sandbox");
});

test("every page says what it is for", async () => {
  for (const page of ["gallery", "activity", "usage"]) {
    await navigate(page);
    await (await browser.$(byTestId("placeholder"))).waitForDisplayed({ timeout: 5000 });
    await screenshot(page);
  }
  await navigate("settings");
  await waitForText(`${card("Sandbox")} ${byTestId("profile-url")}`, "http://127.0.0.1:");
  await screenshot("settings");
});

test("adding a profile for a second deployment, testing it and switching to it", async () => {
  await (await browser.$(byTestId("add-profile"))).click();
  await (await browser.$("#profile-name")).setValue("Second sandbox");
  await (await browser.$("#profile-url")).setValue(secondUrl);
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
  await waitForText(byTestId("balance-value"), /^1,234$/);
  assert.equal(await (await browser.$(byTestId("profile-switcher"))).getValue(), id);
  assert.equal(await (await browser.$(byTestId("sandbox-banner"))).isExisting(), false);
  await screenshot("switched-to-second");
});

test("a wrong key shows the API's invalid-key sentence", async () => {
  const profile = card("Second sandbox");
  await (await browser.$(`${profile} ${byTestId("replace-key")}`)).click();
  await (await browser.$(`${profile} ${byTestId("replace-key-input")}`)).setValue(wrongKey);
  await (await browser.$(`${profile} ${byTestId("replace-key-save")}`)).click();
  await waitForText(`${profile} ${byTestId("key-hint")}`, wrongKey.slice(-4));
  assert.equal(secretToolLookup(`profile:${await (await browser.$(profile)).getAttribute("data-profile-id")}`), wrongKey);

  await (await browser.$(`${profile} ${byTestId("profile-test")}`)).click();
  const shown = await waitForText(`${profile} ${byTestId("profile-test-result")}`, "API key was rejected");
  assert.ok(!shown.includes(wrongKey), "the error never echoes the key");
  await (await browser.$(byTestId("balance"))).click();
  await (await browser.$(byTestId("balance-error"))).waitForExist({ timeout: 10_000 });
  await screenshot("wrong-key");
});

test("deleting the profile removes its keychain entry", async () => {
  const profile = card("Second sandbox");
  const id = await (await browser.$(profile)).getAttribute("data-profile-id");
  await (await browser.$(`${profile} ${byTestId("profile-delete")}`)).click();
  await (await browser.$(`${profile} ${byTestId("profile-delete-confirm")}`)).click();
  await waitFor("the card to disappear", async () => !(await (await browser.$(profile)).isExisting()));
  assert.equal(secretToolLookup(`profile:${id}`), null, "the keychain entry is gone");
  await waitForText(byTestId("balance-value"), /^500$/);
  assert.equal(await (await browser.$(byTestId("profile-switcher"))).getValue(), "sandbox");
  await screenshot("after-delete");
});

test("no key appears under the app's data directory or in the logs", async () => {
  await browser.deleteSession();
  browser = undefined;
  await new Promise((r) => setTimeout(r, 1000));
  const files = filesUnder(dataDir);
  assert.ok(files.some((f) => f.endsWith("profiles.json")), `the app wrote its data under ${dataDir}`);
  const secrets = { second: secondKey, wrong: wrongKey, sandbox: sandboxKey };
  for (const file of filesUnder(home)) {
    const bytes = fs.readFileSync(file);
    for (const [name, secret] of Object.entries(secrets)) {
      assert.equal(bytes.includes(secret), false, `the ${name} key was found in ${file}`);
    }
  }
  const captured = logs.join("");
  assert.ok(captured.length > 0, "logs were captured");
  for (const [name, secret] of Object.entries(secrets)) {
    // The second sandbox was given its key on the command line, not in the logs.
    assert.equal(captured.includes(secret), false, `the ${name} key appeared in the logs`);
  }
});
