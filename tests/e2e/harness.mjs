// Shared plumbing for the end-to-end tests: processes, waiting, WebDriver sessions on the
// real app binary, and window screenshots.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { remote } from "webdriverio";

export const SERVICE = "app.cyberbara.studio";
export const SHOTS = process.env.CYBERBARA_SCREENSHOT_DIR ?? path.resolve("target/e2e-screenshots");
const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER ?? "/usr/bin/WebKitWebDriver";

export function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must point at a built binary (scripts/test-all.sh sets it).`);
  return value;
}

/** The environment the app runs in: its own HOME and XDG folders under `home`. */
export function appEnv(home, extra = {}) {
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: path.join(home, "data"),
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_CACHE_HOME: path.join(home, "cache"),
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    CYBERBARA_LOG: "debug",
    // Lets the tests hand files to the window's drop handler (simulate_drop).
    CYBERBARA_TEST_HOOKS: "1",
    ...extra,
  };
  delete env.CYBERBARA_API_KEY;
  return env;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a process whose output goes to `logs` and which `stopAll` ends. It leads a process
 * group of its own, so `stopAll` also ends what it started (a `dbus-run-session` leaves
 * its bus, keyring daemon and prompter behind otherwise, holding the test run open).
 */
export function start(command, args, env, name, logs, children) {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  const record = (chunk) => logs.push(`[${name}] ${chunk}`);
  child.stdout.on("data", record);
  child.stderr.on("data", record);
  return child;
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Ends every started process group, newest first, and waits until each has exited. */
export async function stopAll(children) {
  for (const child of children.splice(0).reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    // Whatever else the group started goes too.
    signalGroup(child, "SIGKILL");
  }
}

export async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/**
 * Starts tauri-driver with `env` (which the app inherits) and returns its port. `wrap` runs
 * it under another command, e.g. `["dbus-run-session", "--"]` for a session bus of its own.
 */
export async function startDriver(env, logs, children, wrap = []) {
  const port = await freePort();
  // Each driver gets its own WebKitWebDriver port: with tauri-driver's default (4445) a
  // WebKitWebDriver of the previous session that has not exited yet still answers there,
  // and the new session is refused ("Maximum number of active sessions").
  const nativePort = await freePort();
  const command = [
    ...wrap,
    "tauri-driver",
    "--port",
    String(port),
    "--native-port",
    String(nativePort),
    "--native-driver",
    NATIVE_DRIVER,
  ];
  const driver = start(command[0], command.slice(1), env, "tauri-driver", logs, children);
  await waitFor("tauri-driver to listen", async () => {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
    return new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
  });
  return port;
}

/** Launches the app binary in a new WebDriver session. */
export function openSession(port, application) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application },
    },
  });
}

/**
 * Saves the app window as `SHOTS/<name>.png`: the X window as the user sees it (ImageMagick),
 * which is also much faster than WebKitWebDriver's screenshot, the fallback.
 */
export async function screenshot(browser, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  const window = spawnSync("xdotool", ["search", "--name", "^CyberBara Studio$"], { encoding: "utf8" });
  const id = window.status === 0 ? window.stdout.trim().split("\n")[0] : "";
  const grabbed = id && spawnSync("import", ["-window", id, file]).status === 0;
  if (!grabbed) await browser.saveScreenshot(file);
  if (fs.statSync(file).size < 1000) throw new Error(`screenshot ${file} is empty`);
  return file;
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** An element's text content; WebKitWebDriver's getText() returns "" for some visible elements. */
export async function textOf(browser, selector) {
  return ((await (await browser.$(selector)).getProperty("textContent")) ?? "").trim();
}

export async function waitForText(browser, selector, expected, timeoutMs) {
  return waitFor(
    `${selector} to show ${expected}`,
    async () => {
      const el = await browser.$(selector);
      if (!(await el.isExisting())) return false;
      const shown = await textOf(browser, selector);
      return (typeof expected === "string" ? shown.includes(expected) : expected.test(shown)) ? shown : false;
    },
    timeoutMs,
  );
}
