#!/usr/bin/env bash
# npm start: installs dependencies if needed, makes sure PostgreSQL and NATS
# (JetStream) are running locally, builds everything, then runs the five
# services in this terminal (scripts/run-all.mjs). Ctrl-C stops them; the
# PostgreSQL and NATS servers keep running.
# Arguments are passed to run-all.mjs (e.g. --only ca-core,policy-service).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/dev.sh
source scripts/lib/dev.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

signet_ensure_node_modules
SIGNET_SKIP_TOOLS=1 signet_ensure_services # certtool/docker-compose are for the tests
signet_ensure_ca_passphrase

signet_log "building (nx run-many -t build)"
npx nx run-many -t build --outputStyle=stream </dev/null

exec node scripts/run-all.mjs "$@"
