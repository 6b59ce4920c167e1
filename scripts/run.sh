#!/usr/bin/env bash
# Runs External Lines on this machine: installs what is missing, builds, and starts the
# server with SQLite and demo data, and the embedding demo (a "Space CRM" on a second
# origin; EMBED_DEMO_PORT picks its port). Arguments go to the server (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup-tools.sh
scripts/build.sh
export EMBED_DEMO_PORT="${EMBED_DEMO_PORT:-8081}"
exec "$CARGO_TARGET_DIR/release/external-lines-server" --demo "$@"
