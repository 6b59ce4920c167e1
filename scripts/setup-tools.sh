#!/usr/bin/env bash
# Installs the build and test tools External Lines needs, skipping what is already
# present at the right version. Safe to run repeatedly. See ../shared/TOOLCHAIN.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
WASM_SPLIT_VERSION=0.2.4
AXE_VERSION=4.14.1
ESBUILD_VERSION=0.28.2
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}
TOOLS_DIR=${EXTERNAL_LINES_TOOLS:-$HOME/.cache/external-lines/tools}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 9 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # --locked fails for this crate here (see TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Cuts the app's on-demand pages out of its wasm (scripts/split-wasm.mjs).
if ! cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about 3 minutes)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

if [ ! -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
fi

# Minifies the bundles' JavaScript and CSS (scripts/split-wasm.mjs, scripts/minify-css.mjs).
if [ "$("$TOOLS_DIR/node_modules/.bin/esbuild" --version 2>/dev/null)" != "$ESBUILD_VERSION" ]; then
  say "installing esbuild $ESBUILD_VERSION (npm)"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS_DIR" "esbuild@$ESBUILD_VERSION"
fi

# The accessibility checks of the e2e suite inject axe-core into each page.
if [ ! -f "$TOOLS_DIR/node_modules/axe-core/axe.min.js" ]; then
  say "installing axe-core $AXE_VERSION (npm)"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS_DIR" "axe-core@$AXE_VERSION"
fi

if [ "${SKIP_BROWSER:-}" != 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  say "installing chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
say "tools ready"
