#!/usr/bin/env bash
# Builds the operator SPA (dist/) and the widget (widget/dist/) in release mode, and
# the server. A bundle whose sources have not changed since its last build is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

say() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

# A hash of everything a bundle is built from.
sources_hash() {
  git ls-files -co --exclude-standard -- "$@" Cargo.lock Cargo.toml protocol web-client \
    | sort | xargs -d '\n' sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1
}

bundle() { # dir, rustflags, finishing step (given the new dist), sources...
  local dir=$1 flags=$2 finish=$3; shift 3
  local want; want="$(sources_hash "$@") $flags"
  if [ -f "$dir/dist/.sources" ] && [ "$(cat "$dir/dist/.sources")" = "$want" ]; then
    say "$dir: up to date"
    return
  fi
  say "$dir: building (release)"
  (cd "$dir" && RUSTFLAGS="$flags" trunk build --release)
  $finish "$dir/dist"
  node scripts/minify-css.mjs "$dir/dist"
  node scripts/precompress.mjs "$dir/dist"
  echo "$want" > "$dir/dist/.sources"
}

# The app's pages that the inbox does not need are downloaded on demand: wasm-split
# cuts them out of the linked wasm (src/on_demand.rs, scripts/split-wasm.mjs).
split_app() {
  node scripts/split-wasm.mjs "$1" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/external-lines.wasm"
}

# The widget's bindings get what split-wasm.mjs gives the app's: short import names, minified.
shrink_widget() {
  node scripts/shrink-bindings.mjs "$1" el-widget
}

# Leptos's type-erased views make the app 12.5 % smaller but the small widget 3 %
# larger (README, Bundles): only the app is built with them.
# Panic messages name a file from its crate's root (`leptos_router-0.8.17/src/…`), not
# from this machine's directories: shorter, and the same on every machine.
remap="--remap-path-prefix=$PWD/="
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do remap+=" --remap-path-prefix=$dir="; done

bundle . "--cfg erase_components --cfg el_split -Clink-args=--emit-relocs $remap" split_app src style public index.html Trunk.toml build.rs locales scripts/split-wasm.mjs scripts/unused-classes.mjs scripts/short-imports.mjs scripts/bundle-files.mjs scripts/minify-css.mjs
bundle widget "$remap" shrink_widget widget scripts/shrink-bindings.mjs scripts/short-imports.mjs scripts/bundle-files.mjs scripts/minify-css.mjs
say "server: building (release)"
cargo build --release -p el-server --quiet
