#!/usr/bin/env bash
# The UI tests drive Debian's chromium through Playwright (Playwright cannot download browsers here), and check
# every tab with axe-core (the npm package), installed into .cache/npm.
set -u
AXE_VERSION=4.14.1
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AXE_DIR="$ROOT/.cache/npm"

install_axe() {
  if [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: the accessibility (axe-core) browser tests will be skipped." >&2
    return 0
  fi
  echo "Installing axe-core $AXE_VERSION for the accessibility tests (npm)…" >&2
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null \
    || echo "Could not install axe-core: the accessibility browser tests will be skipped." >&2
}
install_axe

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "chromium is not installed and this user cannot install it: browser tests will be skipped." >&2
    echo "Install it with: apt-get install -y chromium" >&2
    exit 0
  fi
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the browser tests (apt-get)…" >&2
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
    || echo "Could not install chromium: browser tests will be skipped." >&2
else
  echo "No apt-get: install chromium yourself to run the browser tests." >&2
fi
exit 0
