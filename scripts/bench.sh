#!/usr/bin/env bash
# The whole-app benchmark (issue 11): builds release (the app, the sandbox, the seeder and
# the minimal Tauri window that is the start-up and memory floor), measures start-up and
# memory in the real window, the core end to end against the sandbox beside curl and the
# sequential flow, the tracker, thumbnails, validation and the package sizes, and writes the
# whole-app section of docs/BENCHMARKS.md plus docs/benchmarks.json (the recorded figures).
# Not part of CI (.ci/run): timings on a shared CI machine are noise.
#
#   scripts/bench.sh                  # everything, 5 runs each (about 30 minutes)
#   scripts/bench.sh --quick          # validation, tracker (short tasks), thumbnails: < 1 minute
#                                     # of measuring; prints each figure beside the recorded one
#   scripts/bench.sh --runs 3         # fewer runs (the document says how many)
#   scripts/bench.sh --soak 10        # also a 10-minute memory soak (gallery scrolling + tasks)
#   scripts/bench.sh --no-build       # reuse the release binaries already built
#   scripts/bench.sh --only window,sizes   # some parts only (window flow tracker thumbnails
#                                     # validate gallery sizes soak); figures not measured keep
#                                     # their recorded values in docs/benchmarks.json
#
# Needs what scripts/setup.sh installs (Xvfb, WebKitGTK, node) plus ffmpeg and xdotool.
# Uses CARGO_TARGET_DIR (default target/) and target-minimal/ for the minimal window.
set -euo pipefail

SCRIPT="$(readlink -f "$0")"
ROOT="$(cd "$(dirname "$SCRIPT")/.." && pwd)"
cd "$ROOT"

QUICK=0
RUNS=5
SOAK=0
BUILD=1
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS="$2"; shift ;;
    --soak) SOAK="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --only) ONLY="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$SCRIPT"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
  shift
done

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"
MINIMAL_TARGET="${MINIMAL_TARGET_DIR:-$ROOT/target-minimal}"
JOBS="${BENCH_JOBS:-2}"
RESULTS="$TARGET/bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"

step() { printf '\n\033[1m==> %s\033[0m  (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
wants() {
  if [ -n "$ONLY" ]; then [[ ",$ONLY," == *",$1,"* ]]; else true; fi
}

if [ "$QUICK" = 1 ]; then
  step "Quick: validation, tracker (1,000 tasks of 20 s), thumbnails"
  cargo bench -j "$JOBS" -p cyberbara --bench validate 2>/dev/null | tee "$RESULTS/validate.txt" >/dev/null
  TRACKER_BENCH_TASK_MS=20000 TRACKER_BENCH_JSON="$RESULTS/tracker.json" \
    cargo bench -j "$JOBS" -p cyberbara-studio-core --bench tracker >/dev/null
  GALLERY_BENCH_ITEMS=0 GALLERY_BENCH_JSON="$RESULTS/thumbnails.json" \
    cargo bench -j "$JOBS" -p cyberbara-studio-core --bench gallery >/dev/null
  node bench/report.mjs --results "$RESULTS" --quick
  exit $?
fi

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
APP="$TARGET/release/cyberbara-studio"
SANDBOX="$TARGET/release/cyberbara-sandbox"
SEED="$TARGET/release/seed-library"
MINIMAL="$MINIMAL_TARGET/release/minimal-window"

if [ "$BUILD" = 1 ]; then
  step "Release build: front end, app (front end embedded), sandbox, seeder"
  (cd ui && npm run build >/dev/null)
  cargo build --release -j "$JOBS" -p cyberbara-studio --features tauri/custom-protocol
  cargo build --release -j "$JOBS" -p cyberbara-sandbox -p cyberbara-studio-core --bins
  cargo bench -j "$JOBS" -p cyberbara -p cyberbara-studio-core --benches --no-run
  step "Release build: the minimal window"
  (cd bench/minimal-window/ui && { [ -d node_modules ] || npm ci >/dev/null; } && npm run build >/dev/null)
  (cd bench/minimal-window && CARGO_TARGET_DIR="$MINIMAL_TARGET" cargo build --release -j "$JOBS" --features custom-protocol)
fi
for binary in "$APP" "$SANDBOX" "$SEED" "$MINIMAL"; do
  [ -x "$binary" ] || { echo "missing $binary (build first, or drop --no-build)" >&2; exit 1; }
done

# A home with 10,000 seeded items, copied for each launch (bench/window.mjs --seeded).
TEMPLATE="$(mktemp -d)"
trap 'rm -rf "$TEMPLATE"' EXIT
seed_template() {
  [ -d "$TEMPLATE/data" ] && return
  "$SEED" --data-dir "$TEMPLATE/data/app.cyberbara.studio" --cache-dir "$TEMPLATE/cache/app.cyberbara.studio" \
    --items 10000 >/dev/null
}

if wants sizes; then
  step "Sizes: release binary and .deb"
  DEB="$(ls -t "$TARGET"/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)"
  # The Tauri CLI relinks the app (about 5 minutes here): --no-build reuses a .deb newer
  # than the binary.
  if [ "$BUILD" = 1 ] || [ -z "$DEB" ] || [ "$DEB" -ot "$APP" ]; then
    (cd ui && npm run tauri -- build --bundles deb >/dev/null 2>"$RESULTS/deb.log") \
      || echo "the .deb did not build: see $RESULTS/deb.log" >&2
    DEB="$(ls -t "$TARGET"/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)"
  fi
  node -e '
    const fs = require("fs");
    const size = (f) => (f && fs.existsSync(f) ? fs.statSync(f).size : null);
    const [app, minimal, deb, out] = process.argv.slice(1);
    fs.writeFileSync(out, JSON.stringify({ app_binary: size(app), minimal_binary: size(minimal), deb: size(deb), deb_file: deb || null }));
  ' "$APP" "$MINIMAL" "$DEB" "$RESULTS/sizes.json"
  cat "$RESULTS/sizes.json"; echo
fi

if wants window; then
  step "Start-up and memory in the window: minimal (as built, and painting in software), app (empty), app (10,000 items); $RUNS rounds"
  seed_template
  # The app paints in software when there is no GPU (src-tauri/lib.rs, choose_rendering);
  # minimal-sw is the floor with the same choice, minimal the floor as Tauri ships it.
  node bench/window.mjs --out "$RESULTS/window.json" --runs "$RUNS" \
    --case "minimal=$MINIMAL" \
    --case "minimal-sw=$MINIMAL" --env WEBKIT_DISABLE_COMPOSITING_MODE=1 \
    --case "app-empty=$APP" --args "--page gallery" \
    --case "app-10k=$APP" --args "--page gallery" --seeded "$TEMPLATE"
fi

if wants validate; then
  step "Validation"
  cargo bench -j "$JOBS" -p cyberbara --bench validate 2>/dev/null | tee "$RESULTS/validate.txt" >/dev/null
fi

if wants tracker; then
  step "Tracker: 1,000 tasks of 60 s"
  TRACKER_BENCH_JSON="$RESULTS/tracker.json" cargo bench -j "$JOBS" -p cyberbara-studio-core --bench tracker
fi

if wants thumbnails; then
  step "Thumbnails and the list query"
  GALLERY_BENCH_JSON="$RESULTS/thumbnails.json" cargo bench -j "$JOBS" -p cyberbara-studio-core --bench gallery
fi

if wants flow; then
  step "The core end to end: throughput, latency, upload ($RUNS runs)"
  FLOW_BENCH_RUNS="$RUNS" FLOW_BENCH_SANDBOX="$SANDBOX" FLOW_BENCH_JSON="$RESULTS/flow.json" \
    cargo bench -j "$JOBS" -p cyberbara-studio-core --bench flow
fi

if wants gallery && [ -f bench/gallery.mjs ]; then
  step "Gallery in the window (bench/gallery.mjs)"
  node bench/gallery.mjs --app "$APP" --sandbox "$SANDBOX" --seed "$SEED" --runs "$RUNS" \
    --json "$RESULTS/gallery.json" >/dev/null || echo "bench/gallery.mjs failed; its figures keep their recorded values" >&2
fi

if [ "$SOAK" != 0 ] && { [ -z "$ONLY" ] || wants soak; }; then
  step "Memory soak: $SOAK minutes"
  seed_template
  node bench/window.mjs --out "$RESULTS/soak.json" --soak "$SOAK" \
    --case "app-10k=$APP" --args "--page gallery" --seeded "$TEMPLATE"
fi

node -e '
  const fs = require("fs"), os = require("os");
  const [out, runs, before] = process.argv.slice(1);
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString().slice(0, 10),
    runs: Number(runs),
    load_before: before,
    load_after: os.loadavg()[0].toFixed(2),
    machine: { cores: os.cpus().length, memory_gb: Math.round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model ?? "unknown" },
  }));
' "$RESULTS/meta.json" "$RUNS" "$LOAD_BEFORE"
step "Report"
node bench/report.mjs --results "$RESULTS" --write
echo "raw results: $RESULTS"
