#!/usr/bin/env bash
# Installs what CyberBara Studio needs on Debian/Ubuntu, skipping whatever is already there:
# system packages, Rust, Node.js, the front end's and the end-to-end tests' npm packages,
# and tauri-driver. Safe to run again and again.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_PACKAGES=(
  # Build: Tauri 2 on WebKitGTK 4.1
  build-essential pkg-config curl file ca-certificates libssl-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  # Keychain: Secret Service and a CLI to inspect it
  gnome-keyring dbus-x11 libsecret-tools
  # End-to-end tests: virtual display, WebDriver for WebKitGTK, window screenshots
  xvfb xauth webkit2gtk-driver x11-utils xdotool imagemagick
  # Video playback in the webview (H.264)
  gstreamer1.0-plugins-good gstreamer1.0-libav
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Rust (stable) through rustup when cargo is missing.
if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    say "Installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
# rustup installed without a default toolchain (or a HOME whose ~/.rustup is empty) leaves a
# `cargo` on PATH that only prints an error: give it the stable toolchain.
if ! cargo --version >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1; then
  say "Installing the stable Rust toolchain (rustup has no default)"
  rustup default stable
fi
for component in clippy rustfmt; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done

# Node.js 20.19+ (Vite 7). Debian's own nodejs is used when new enough; otherwise NodeSource.
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^[0-9]+://')"
  if [ -n "$candidate" ] && dpkg --compare-versions "$candidate" ge 20.19; then
    say "Installing Node.js $candidate from the distribution"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
  else
    say "Installing Node.js 22 from NodeSource (the distribution's is older than 20.19)"
    curl -fsSL https://deb.nodesource.com/setup_22.x | as_root bash -
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs
  fi
fi

# npm packages, exactly as locked; reinstalled only when the lock file changed.
for dir in ui tests/e2e; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "Installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
done

if ! command -v tauri-driver >/dev/null 2>&1; then
  say "Installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

say "Setup complete"
