#!/usr/bin/env bash
# Sets up what is missing, builds CyberBara Studio with its front end embedded and starts
# it on the built-in Sandbox profile.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
export PATH="$HOME/.cargo/bin:$PATH"
cd "$ROOT"

echo "==> Building the front end"
(cd ui && npm run build)
echo "==> Building the app"
cargo build --features tauri/custom-protocol --bin cyberbara-studio

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
echo "==> Starting CyberBara Studio on the Sandbox profile"
exec "$TARGET_DIR/debug/cyberbara-studio" --profile sandbox "$@"
