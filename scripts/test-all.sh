#!/usr/bin/env bash
# Sets up what is missing and runs every check and test: formatting, import circles, clippy,
# all Rust tests (against a real Secret Service), the front end's type check, lint and unit
# tests, and the end-to-end tests that drive the real app under Xvfb. Screenshots land in
# ${CARGO_TARGET_DIR:-target}/e2e-screenshots/.
set -euo pipefail

SCRIPT="$(readlink -f "$0")"
ROOT="$(cd "$(dirname "$SCRIPT")/.." && pwd)"

if [ -z "${CYBERBARA_IN_TEST_SESSION:-}" ]; then
  bash "$ROOT/scripts/setup.sh"
  # Everything below runs inside a private D-Bus session with its own, throwaway keyring,
  # so the tests use a real Secret Service without touching the user's keychain.
  SESSION_DIR="$(mktemp -d)"
  trap 'rm -rf "$SESSION_DIR"' EXIT
  mkdir -p "$SESSION_DIR/data" "$SESSION_DIR/runtime"
  chmod 700 "$SESSION_DIR/runtime"
  status=0
  CYBERBARA_IN_TEST_SESSION=1 XDG_DATA_HOME="$SESSION_DIR/data" XDG_RUNTIME_DIR="$SESSION_DIR/runtime" \
    PATH="$HOME/.cargo/bin:$PATH" dbus-run-session -- bash "$SCRIPT" "$@" || status=$?
  exit "$status"
fi

cd "$ROOT"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Unlocking a throwaway keyring"
printf 'ci-keyring-password\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
secret-tool store --label="probe" cyberbara-probe ok <<<"probe" >/dev/null
secret-tool clear cyberbara-probe ok

step "cargo fmt --check"
cargo fmt --all --check

step "No import circles among source files (Rust modules, ui/src)"
python3 scripts/import-cycles.py

step "Front end: npm ci'd packages, build (embedded into the app)"
(cd ui && npm run build)

# One feature set everywhere, so clippy, the tests and the end-to-end binary share one build
# of tauri; custom-protocol embeds ui/dist into the binary.
FEATURES=(--features tauri/custom-protocol)

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets "${FEATURES[@]}" -- -D warnings

step "cargo test --workspace (real Secret Service)"
cargo test --workspace "${FEATURES[@]}"

step "Front end: svelte-check, eslint, vitest"
(cd ui && npm run check && npm run lint && npm test)

# `cargo test` above already built both binaries (integration tests need their packages'
# binaries), with the front end embedded; building them again with another feature set
# would only rebuild shared dependencies.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CYBERBARA_APP_BINARY="$TARGET_DIR/debug/cyberbara-studio"
export CYBERBARA_SANDBOX_BINARY="$TARGET_DIR/debug/cyberbara-sandbox"
# The gallery's e2e test seeds a 10,000-item library with it.
export CYBERBARA_SEED_BINARY="$TARGET_DIR/debug/seed-library"
for binary in "$CYBERBARA_APP_BINARY" "$CYBERBARA_SANDBOX_BINARY" "$CYBERBARA_SEED_BINARY"; do
  [ -x "$binary" ] || { echo "missing $binary after cargo test" >&2; exit 1; }
done
export CYBERBARA_SCREENSHOT_DIR="$TARGET_DIR/e2e-screenshots"

step "End-to-end tests under Xvfb (tauri-driver + WebKitWebDriver)"
xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 tests/e2e/

step "All checks passed. Screenshots: $CYBERBARA_SCREENSHOT_DIR"
