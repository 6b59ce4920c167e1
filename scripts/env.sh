# Shared by the project's scripts: where tools and build output live.
# Compiled output is kept outside the clone so fresh clones (CI) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/external-lines/target}"
export EXTERNAL_LINES_TOOLS="${EXTERNAL_LINES_TOOLS:-$HOME/.cache/external-lines/tools}"
export PATH="$HOME/.cargo/bin:$EXTERNAL_LINES_TOOLS/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
