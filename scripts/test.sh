#!/usr/bin/env bash
# Runs every test suite: protocol and server (native), components (wasm in headless
# Chromium), then builds the bundles and runs the end-to-end journeys in Chromium.
# Ends with one line over all suites: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"

logs=$(mktemp -d)
passed=0
failed=0
broken=()

# suite NAME COMMAND...: runs it, adds up its "test result:" lines; a suite that fails
# without reporting a failed test (it did not build, say) counts as one failure.
suite() {
  local name=$1; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  local counts
  counts=$(grep -aE '^test result: ' "$logs/$name.log" \
    | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' \
    | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
  local p=${counts% *} f=${counts#* }
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
    broken+=("$name")
  fi
}

suite setup scripts/setup-tools.sh
suite native cargo test -p el-protocol -p el-web-client -p el-server -p el-widget --no-fail-fast
# The same server tests on PostgreSQL: a private cluster of our own, stopped at the end.
postgres_suite() {
  local cluster
  cluster=$(scripts/postgres.sh start) || return 1
  eval "$cluster"
  trap 'scripts/postgres.sh stop "$EL_PG_DIR"' EXIT
  cargo test -p el-server --tests --no-fail-fast
  local status=$?
  scripts/postgres.sh stop "$EL_PG_DIR"
  trap - EXIT
  unset EL_TEST_POSTGRES
  return $status
}
suite postgres postgres_suite
suite components cargo test -p external-lines -p el-widget --target wasm32-unknown-unknown --tests
suite build scripts/build.sh
suite e2e cargo test -p el-e2e --tests -- --test-threads=1

echo
if [ ${#broken[@]} -gt 0 ]; then
  echo "Suites that did not run to the end: ${broken[*]} (logs in $logs)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
