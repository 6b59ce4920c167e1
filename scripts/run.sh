#!/usr/bin/env bash
# Runs External Lines on this machine: installs what is missing, builds, and starts the
# server with SQLite and demo data. Arguments go to the server (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup-tools.sh
scripts/build.sh
exec "$CARGO_TARGET_DIR/release/external-lines-server" --demo "$@"
