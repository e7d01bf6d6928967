#!/usr/bin/env bash
# npm test: the one command that runs every check, as CI does (.ci/run).
#   1. dependencies (npm ci when node_modules is missing or stale)
#   2. local PostgreSQL + NATS (JetStream), a database role the tests may
#      create databases with, and the tools they call (openssl, certtool,
#      python3-cryptography, docker-compose)
#   3. nx: typecheck, build, lint (ESLint, module boundaries) and unit tests of every project
#   4. end-to-end tests against the real services (e2e/jest.config.js)
# Stops at the first failure with a non-zero exit. Needs no terminal or stdin.
# The whole run is bounded by SIGNET_TEST_BUDGET seconds (default 1140 = 19 min).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/dev.sh
source scripts/lib/dev.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
DEADLINE=$(($(date +%s) + ${SIGNET_TEST_BUDGET:-1140}))

# step LABEL CMD...: runs CMD with what is left of the time budget. timeout
# leads its own process group, so on a timeout or an interrupt the whole tree
# (npx, nx, jest and their workers) is stopped, not just the first process.
step() {
  local label=$1 left rc=0
  shift
  left=$((DEADLINE - $(date +%s)))
  ((left > 0)) || signet_die "time budget used up before: $label"
  signet_log "== $label"
  timeout -k 10 "$left" "$@" </dev/null &
  STEP_PID=$!
  wait "$STEP_PID" || rc=$?
  if ((rc != 0)); then
    stop_step_group
  fi
  STEP_PID=
  if ((rc == 124)); then
    signet_die "$label: timed out (budget SIGNET_TEST_BUDGET=${SIGNET_TEST_BUDGET:-1140}s)"
  elif ((rc != 0)); then
    signet_die "$label: failed (exit $rc)"
  fi
}
# TERM, a moment to finish, then KILL whatever is left in the step's group.
stop_step_group() {
  [[ -n $STEP_PID ]] || return 0
  kill -TERM -- "-$STEP_PID" 2>/dev/null || return 0
  local i
  for ((i = 0; i < 20; i++)); do
    kill -0 -- "-$STEP_PID" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL -- "-$STEP_PID" 2>/dev/null || true
}
STEP_PID=
trap 'stop_step_group; exit 130' INT TERM

signet_ensure_node_modules
signet_ensure_services
signet_ensure_test_db_admin # SIGNET_TEST_ADMIN_DATABASE_URL / SIGNET_TEST_PG_URL when postgres@127.0.0.1 is refused
signet_ensure_ca_passphrase # for e2e tests that start ca-core

# Every Jest run's summary line is also kept, to print one total at the end.
TEST_LOG=$(mktemp)
trap 'rm -f "$TEST_LOG"' EXIT
step "typecheck, build, lint, unit tests (nx)" bash -o pipefail -c 'npx nx run-many -t typecheck build lint test --outputStyle=stream 2>&1 | tee -a "$0"' "$TEST_LOG"
[[ -f e2e/jest.config.js ]] || signet_die "e2e/jest.config.js is missing"
step "end-to-end tests (jest e2e)" bash -o pipefail -c 'npx jest -c e2e/jest.config.js --runInBand 2>&1 | tee -a "$0"' "$TEST_LOG"
signet_log "all tests passed"
# One closing line for CI: the sum of every Jest summary ("Tests: N failed, N passed, N total").
sed 's/\x1b\[[0-9;]*m//g' "$TEST_LOG" | awk '/Tests:/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { printf "tests: %d passed, %d failed\n", p, f }'
