#!/usr/bin/env bash
# npm run fuzz: the fuzz tests of npm test, run long (ADR 0022).
#   1. the CSR parser alone (libs/x509/src/csr.fuzz.spec.ts)
#   2. the whole stack, all five services: HTTP submits and bus messages
#      (e2e/bad-input.spec.ts, the fuzz case only)
#   3. EST over HTTPS and SCEP over HTTP against the whole stack: envelopes,
#      CSRs and headers (e2e/est.spec.ts, e2e/scep.spec.ts, the fuzz cases)
# SIGNET_FUZZ_CASES (default 100000) cases each; SIGNET_FUZZ_SEED repeats a
# run, else a fresh seed is drawn and printed first. Exits non-zero on the
# first failing run, whose message lists the failing cases and the seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/dev.sh
source scripts/lib/dev.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
export SIGNET_FUZZ_CASES=${SIGNET_FUZZ_CASES:-100000}
export SIGNET_FUZZ_SEED=${SIGNET_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
signet_log "fuzz: ${SIGNET_FUZZ_CASES} cases per run, seed ${SIGNET_FUZZ_SEED} (SIGNET_FUZZ_SEED=${SIGNET_FUZZ_SEED} npm run fuzz repeats it)"

signet_ensure_node_modules
signet_ensure_services
signet_ensure_test_db_admin
signet_ensure_ca_passphrase

npx nx run-many -t build --outputStyle=stream
signet_log "== the CSR parser"
npx jest -c libs/x509/jest.config.js libs/x509/src/csr.fuzz.spec.ts </dev/null
signet_log "== the whole stack (HTTP and bus)"
npx jest -c e2e/jest.config.js --runInBand e2e/bad-input.spec.ts -t 'fuzz' </dev/null
signet_log "== EST and SCEP over HTTP(S)"
npx jest -c e2e/jest.config.js --runInBand e2e/est.spec.ts e2e/scep.spec.ts -t 'fuzz' </dev/null
signet_log "fuzz: no failures (seed ${SIGNET_FUZZ_SEED})"
