#!/usr/bin/env bash
# The real-time benchmark: delivery latency at 100/300/1,000 msg/s with 50/200/500
# operator sockets, the highest inbound rate against raw SQLite, and server memory with
# idle sockets; loopback only, about 3 minutes a build. Prints one table.
#   scripts/bench.sh                         this build
#   scripts/bench.sh --baseline OLD_BINARY   another build of the server beside it
#   scripts/bench.sh --quick                 a short smoke run
#   scripts/bench.sh --search                search latency on 100,000 dialogs, ~1M messages
#   scripts/bench.sh --browser               the app's live list in Chromium beside vanilla JS, first
#                                            paint, bundle sizes (also after a full run)
#   scripts/bench.sh --postgres              also two instances on PostgreSQL (a private
#                                            cluster, started and stopped here), beside
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# 10,000 sockets need as many file descriptors in the server and the generator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release --quiet -p el-server -p el-bench
args=()
for a in "$@"; do
  if [ "$a" = --postgres ]; then
    eval "$(scripts/postgres.sh start)"
    trap 'scripts/postgres.sh stop "$EL_PG_DIR"' EXIT
    args+=(--postgres "$EL_TEST_POSTGRES")
  else
    args+=("$a")
  fi
done
timeout 900 "$CARGO_TARGET_DIR/release/el-bench" --server "$CARGO_TARGET_DIR/release/external-lines-server" "${args[@]}"
