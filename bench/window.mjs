// Start-up and memory of a real window under Xvfb, launch after launch, for the whole-app
// benchmark (scripts/bench.sh). Each launch gets a fresh HOME, a 20 fps `ffmpeg -f x11grab`
// capture from before the process starts, and a PSS sample of the process and every
// process it started (WebKit's) once the page has been idle for 10 s.
//
//   node bench/window.mjs --out results.json --runs 5 \
//     --case minimal=/path/minimal-window \
//     --case app-empty=/path/cyberbara-studio --args "--page gallery" \
//     --case app-10k=/path/cyberbara-studio --args "--page gallery" --seeded /template/home
//
//   node bench/window.mjs --out soak.json --soak 10 --case app-10k=… --args "--page gallery" --seeded …
//
// `--soak MINUTES` launches the (first) case once and keeps it busy: every minute it starts
// a task on Create (Ctrl+1, the prompt, Ctrl+Enter: the app's own sandbox runs it for 30 s,
// so the tracker always has work), then scrolls the Gallery (Ctrl+2, mouse wheel) until
// the minute is up, and samples the PSS of the process tree. It reports the samples and
// their least-squares slope in MB per minute (xdotool drives the window). `--soak-do` picks
// what each minute does, to put a rise on one activity: `tasks,scroll` (the default),
// `switch` (Create and back to the Gallery, no task), `scroll`, or nothing (`--soak-do ""`,
// the Gallery left idle).
//
// Cases are run in turn within each round (minimal, app, app, minimal, …), so a machine
// that slows down during the run slows every case alike.
//
// "First content" is the first captured frame that shows the page, not the blank window:
// the page's flat colours are those that cover at least 0.5 % of the window in the last
// frame (sidebar, header, page background, banners…), and a frame shows the page when
// every one of them covers at least half the area it covers at the end. A blank window
// lacks them, and so does a window that has only its background, so neither counts;
// photographs (thumbnails) are no flat colour and fill in later without being waited for.
// "Complete" (the first frame from which at least 99 % of the window's pixels stay as in
// the last frame) is reported beside it.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const WIDTH = 1280;
const HEIGHT = 800;
// Frames are analysed at half size; nearest-neighbour scaling keeps colours exact.
const FW = WIDTH / 2;
const FH = HEIGHT / 2;
const FPS = 20;

function parseArgs(argv) {
  const options = {
    runs: 5,
    capture: 8,
    idle: 10,
    cases: [],
    out: null,
    display: null,
    keep: null,
    soak: 0,
    soakDo: ["tasks", "scroll"],
  };
  let current = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i];
    if (arg === "--case") {
      const [name, binary] = value().split("=");
      current = { name, binary, args: [], seeded: null, env: {} };
      options.cases.push(current);
    } else if (arg === "--args") current.args = value().split(" ").filter(Boolean);
    else if (arg === "--seeded") current.seeded = value();
    else if (arg === "--env") {
      const [k, v] = value().split("=");
      current.env[k] = v;
    } else if (arg === "--runs") options.runs = Number(value());
    else if (arg === "--capture") options.capture = Number(value());
    else if (arg === "--idle") options.idle = Number(value());
    else if (arg === "--out") options.out = value();
    else if (arg === "--display") options.display = value();
    else if (arg === "--keep-frames") options.keep = value();
    else if (arg === "--soak") options.soak = Number(value());
    else if (arg === "--soak-do") options.soakDo = value().split(",").filter(Boolean);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.out || options.cases.length === 0) throw new Error("--out and at least one --case are required");
  return options;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock time in microseconds (what x11grab stamps its frames with). */
const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** Starts Xvfb on a free display number; returns { display, stop }. */
async function startXvfb() {
  for (let n = 90; n < 140; n++) {
    if (fs.existsSync(`/tmp/.X${n}-lock`)) continue;
    const xvfb = spawn("Xvfb", [`:${n}`, "-screen", "0", `${WIDTH}x${HEIGHT}x24`, "-br", "-nolisten", "tcp"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      if (xvfb.exitCode !== null) break;
      if (fs.existsSync(`/tmp/.X11-unix/X${n}`)) {
        return { display: `:${n}`, stop: () => xvfb.kill("SIGTERM") };
      }
    }
    xvfb.kill("SIGKILL");
  }
  throw new Error("no display for Xvfb");
}

/** Pids of `root` and all its descendants. */
function processTree(root) {
  const children = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the ppid follows the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** PSS (kB) per process name over the tree of `root`, from smaps_rollup. */
function pssOfTree(root) {
  const byName = {};
  // The anonymous part (heaps, JavaScript's included) apart from mapped libraries and shared
  // memory: a leak shows there, while the libraries' share moves with whatever else runs.
  const anonByName = {};
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const anon = Number(/^Pss_Anon:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const name = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      // bwrap/dbus helpers and the like are counted under their own names.
      byName[name] = (byName[name] ?? 0) + kb;
      anonByName[name] = (anonByName[name] ?? 0) + anon;
      total += kb;
    } catch {
      // Gone meanwhile.
    }
  }
  return { total, byName, anonByName };
}

/** Starts a capture of the whole screen; resolves once frames are being written. */
async function startCapture(display, file) {
  const ffmpeg = spawn(
    "ffmpeg",
    [
      "-hide_banner", "-loglevel", "error",
      "-f", "x11grab", "-framerate", String(FPS), "-video_size", `${WIDTH}x${HEIGHT}`, "-i", display,
      "-copyts", "-fps_mode", "passthrough", "-enc_time_base:v", "1:1000000",
      "-vf", `scale=${FW}:${FH}:flags=neighbor`, "-pix_fmt", "rgb24", "-c:v", "rawvideo",
      "-f", "nut", "-y", file,
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let errors = "";
  ffmpeg.stderr.on("data", (d) => (errors += d));
  const frame = FW * FH * 3;
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    if (ffmpeg.exitCode !== null) throw new Error(`ffmpeg stopped: ${errors}`);
    if (fs.existsSync(file) && fs.statSync(file).size > 2 * frame) break;
  }
  return {
    stop: () =>
      new Promise((resolve) => {
        ffmpeg.once("exit", resolve);
        ffmpeg.stdin.end("q");
      }),
  };
}

/** Timestamps (µs) and RGB frames of a capture. */
function readCapture(file) {
  const probe = spawnSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts", "-of", "csv=p=0", file],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const pts = probe.stdout.split("\n").filter(Boolean).map(Number);
  const decode = spawnSync("ffmpeg", ["-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], {
    maxBuffer: 2 ** 30,
  });
  const size = FW * FH * 3;
  const frames = [];
  for (let i = 0; i * size < decode.stdout.length && i < pts.length; i++) {
    frames.push(decode.stdout.subarray(i * size, (i + 1) * size));
  }
  return { pts: pts.slice(0, frames.length), frames };
}

/** The bounding box of what is not the black root window in `frame`. */
function windowBox(frame) {
  let x0 = FW, y0 = FH, x1 = -1, y1 = -1;
  for (let y = 0; y < FH; y++) {
    for (let x = 0; x < FW; x++) {
      const o = (y * FW + x) * 3;
      if (frame[o] | frame[o + 1] | frame[o + 2]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1, area: (x1 - x0 + 1) * (y1 - y0 + 1) };
}

function histogram(frame, box) {
  const counts = new Map();
  let nonBlack = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const o = (y * FW + x) * 3;
      const c = (frame[o] << 16) | (frame[o + 1] << 8) | frame[o + 2];
      counts.set(c, (counts.get(c) ?? 0) + 1);
      if (c !== 0) nonBlack++;
    }
  }
  return { counts, nonBlack };
}

function sameFraction(a, b, box) {
  let same = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const o = (y * FW + x) * 3;
      if (a[o] === b[o] && a[o + 1] === b[o + 1] && a[o + 2] === b[o + 2]) same++;
    }
  }
  return same / box.area;
}

/** Milliseconds from `launch` to the window mapping, the page showing, and the page being complete. */
export function analyse({ pts, frames }, launch) {
  const last = frames[frames.length - 1];
  const box = last && windowBox(last);
  if (!box) return { error: "no window in the last frame" };
  const final = histogram(last, box);
  const flat = [...final.counts].filter(([, n]) => n >= 0.005 * box.area);
  const at = (i) => (pts[i] - launch) / 1000;
  let mapped = null;
  let content = null;
  for (let i = 0; i < frames.length; i++) {
    if (pts[i] < launch) continue;
    const h = histogram(frames[i], box);
    if (mapped === null && h.nonBlack >= 0.9 * box.area) mapped = at(i);
    if (content === null && flat.every(([c, n]) => (h.counts.get(c) ?? 0) >= 0.5 * n)) {
      content = at(i);
      break;
    }
  }
  let complete = null;
  for (let i = frames.length - 1; i >= 0 && pts[i] >= launch; i--) {
    if (sameFraction(frames[i], last, box) < 0.99) break;
    complete = at(i);
  }
  return {
    mapped_ms: mapped,
    first_content_ms: content,
    complete_ms: complete,
    flat_colours: flat.map(([c, n]) => [`#${c.toString(16).padStart(6, "0")}`, Number((n / box.area).toFixed(3))]),
    window: box,
    frames: frames.length,
  };
}

/** A fresh HOME for one launch; a seeded one is copied (files hard-linked) from the template. */
function freshHome(seeded) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-home-"));
  if (seeded) {
    const copy = spawnSync("cp", ["-a", "-l", `${seeded}/.`, home]);
    if (copy.status !== 0) throw new Error(`could not copy ${seeded}: ${copy.stderr}`);
    // The database is written to: a real copy, not a link into the template.
    for (const db of spawnSync("find", [home, "-name", "library.db*"], { encoding: "utf8" }).stdout.split("\n")) {
      if (!db) continue;
      const bytes = fs.readFileSync(db);
      fs.unlinkSync(db);
      fs.writeFileSync(db, bytes);
    }
  }
  return home;
}

/** The environment of one launch: its own HOME and XDG folders, never the caller's API key. */
function launchEnv(kase, display, home) {
  const env = {
    ...process.env,
    DISPLAY: display,
    HOME: home,
    XDG_DATA_HOME: path.join(home, "data"),
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_CACHE_HOME: path.join(home, "cache"),
    NO_AT_BRIDGE: "1",
    ...kase.env,
  };
  delete env.CYBERBARA_API_KEY;
  return env;
}

async function launchOnce(kase, display, options, round) {
  const home = freshHome(kase.seeded);
  const capture = path.join("/dev/shm", `bench-${process.pid}-${kase.name}-${round}.nut`);
  const env = launchEnv(kase, display, home);
  const recorder = await startCapture(display, capture);
  const launch = nowMicros();
  const child = spawn(kase.binary, kase.args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
  await sleep(options.capture * 1000);
  await recorder.stop();
  const result = analyse(readCapture(capture), launch);
  if (options.keep) {
    fs.mkdirSync(options.keep, { recursive: true });
    fs.copyFileSync(capture, path.join(options.keep, `${kase.name}-${round}.nut`));
  }
  fs.rmSync(capture, { force: true });
  // Memory once the page has been idle for `idle` seconds after it showed.
  const shownAt = launch / 1000 + (result.first_content_ms ?? options.capture * 1000);
  const wait = shownAt + options.idle * 1000 - (performance.timeOrigin + performance.now());
  if (wait > 0) await sleep(wait);
  const alive = child.exitCode === null;
  const memory = alive ? pssOfTree(child.pid) : null;
  const tree = alive ? processTree(child.pid) : [];
  const exited = new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
  for (const pid of tree.slice(1)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone with its parent.
    }
  }
  fs.rmSync(home, { recursive: true, force: true });
  if (!alive) result.error = `the process exited early: ${log.slice(-2000)}`;
  return { ...result, pss_kb: memory?.total ?? null, pss_by_process_kb: memory?.byName ?? null };
}

/** Least-squares slope of `ys` sampled at `xs`. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : null;
}

async function soak(kase, display, options) {
  const home = freshHome(kase.seeded);
  const env = launchEnv(kase, display, home);
  const child = spawn(kase.binary, kase.args, { env, stdio: ["ignore", "ignore", "ignore"] });
  const xdo = (...args) => spawnSync("xdotool", args, { env: { ...process.env, DISPLAY: display }, encoding: "utf8" });
  await sleep(options.idle * 1000);
  const window = xdo("search", "--onlyvisible", "--pid", String(child.pid)).stdout.trim().split("\n")[0];
  if (!window) throw new Error("the app's window was not found");
  xdo("windowfocus", "--sync", window);
  const box = windowBoxOf(xdo, window);
  const samples = [];
  const minutes = [];
  const started = performance.now();
  let tasks = 0;
  // Per process as well as in total, so a rise can be put on the app or on one of WebKit's.
  const byProcess = [];
  const anonByProcess = [];
  const inMb = (byName) => Object.fromEntries(Object.entries(byName).map(([name, kb]) => [name, Math.round(kb / 1024)]));
  const sample = () => {
    const pss = pssOfTree(child.pid);
    samples.push(pss.total / 1024);
    byProcess.push(inMb(pss.byName));
    anonByProcess.push(inMb(pss.anonByName));
  };
  const describe = () =>
    Object.entries(byProcess.at(-1))
      .sort((a, b) => b[1] - a[1])
      .map(([name, mb]) => `${name} ${mb}`)
      .join(", ");
  sample();
  minutes.push(0);
  console.error(`soak: minute 0, PSS ${samples[0].toFixed(0)} MB (${describe()})`);
  for (let minute = 1; minute <= options.soak; minute++) {
    if (child.exitCode !== null) throw new Error("the app exited during the soak");
    const does = (what) => options.soakDo.includes(what);
    if (does("tasks") || does("switch")) {
      xdo("key", "ctrl+1");
      await sleep(1500);
    }
    if (does("tasks")) {
      // A task for the tracker: Create's prompt has focus when the page opens.
      xdo("key", "ctrl+a");
      xdo("type", "--delay", "5", `[sandbox:ms=30000] soak task ${minute}`);
      xdo("key", "ctrl+Return");
      tasks++;
      await sleep(1500);
    }
    if (does("tasks") || does("switch")) {
      xdo("key", "ctrl+2");
      await sleep(1500);
    }
    const until = started + minute * 60_000;
    if (does("scroll")) {
      // Scroll the gallery down and back up until the minute is over.
      xdo("mousemove", String(box.x + Math.round(box.w * 0.6)), String(box.y + Math.round(box.h * 0.6)));
      let down = true;
      while (performance.now() < until - 500) {
        for (let i = 0; i < 20; i++) xdo("click", down ? "5" : "4");
        down = !down;
        await sleep(200);
      }
    }
    const wait = until - performance.now();
    if (wait > 0) await sleep(wait);
    sample();
    minutes.push(minute);
    console.error(`soak: minute ${minute}, PSS ${samples.at(-1).toFixed(0)} MB (${describe()})`);
  }
  const tree = processTree(child.pid);
  child.kill("SIGTERM");
  await sleep(2000);
  for (const pid of tree) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  const created = soakTasksInLibrary(home);
  fs.rmSync(home, { recursive: true, force: true });
  if (tasks > 0) console.error(`soak: ${tasks} tasks started, ${JSON.stringify(created)} in the library`);
  // The first minute includes the page filling in; the slope is of the minutes after it.
  const after = (xs) => xs.slice(1);
  return {
    case: kase.name,
    minutes: options.soak,
    activities: options.soakDo,
    tasks_started: tasks,
    tasks_in_library: created,
    samples_mb: samples,
    samples_mb_by_process: byProcess,
    anon_mb_by_process: anonByProcess,
    slope_mb_per_min: slope(after(minutes), after(samples)),
  };
}

/** The soak's tasks the app recorded, by status (read with Python's sqlite3 after the app quit). */
function soakTasksInLibrary(home) {
  const db = spawnSync("find", [home, "-name", "library.db"], { encoding: "utf8" }).stdout.split("\n")[0];
  if (!db) return null;
  const query = spawnSync(
    "python3",
    [
      "-c",
      "import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); " +
        "print(json.dumps(dict(c.execute(\"SELECT status, count(*) FROM tasks WHERE prompt LIKE '%soak task%' GROUP BY status\").fetchall())))",
      db,
    ],
    { encoding: "utf8" },
  );
  try {
    return JSON.parse(query.stdout);
  } catch {
    return { error: query.stderr.trim().slice(0, 200) };
  }
}

function windowBoxOf(xdo, window) {
  const geometry = xdo("getwindowgeometry", "--shell", window).stdout;
  const field = (name) => Number(new RegExp(`${name}=(\\d+)`).exec(geometry)?.[1] ?? 0);
  return { x: field("X"), y: field("Y"), w: field("WIDTH") || WIDTH, h: field("HEIGHT") || HEIGHT };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const xvfb = options.display ? null : await startXvfb();
  const display = options.display ?? xvfb.display;
  if (options.soak > 0) {
    try {
      const result = await soak(options.cases[0], display, options);
      fs.writeFileSync(options.out, JSON.stringify(result, null, 2));
      console.error(`soak: slope ${result.slope_mb_per_min?.toFixed(2)} MB/min over ${options.soak} minutes`);
    } finally {
      xvfb?.stop();
    }
    return;
  }
  const results = Object.fromEntries(options.cases.map((c) => [c.name, []]));
  try {
    for (let round = 0; round < options.runs; round++) {
      for (const kase of options.cases) {
        const run = await launchOnce(kase, display, options, round);
        results[kase.name].push(run);
        console.error(
          `${kase.name} #${round + 1}: window ${run.mapped_ms?.toFixed(0)} ms, content ${run.first_content_ms?.toFixed(0)} ms, complete ${run.complete_ms?.toFixed(0)} ms, PSS ${(run.pss_kb / 1024).toFixed(0)} MB${run.error ? ` (${run.error.slice(0, 300)})` : ""}`,
        );
      }
    }
  } finally {
    xvfb?.stop();
  }
  fs.writeFileSync(options.out, JSON.stringify(results, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
