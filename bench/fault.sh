#!/usr/bin/env bash
# npm run bench:fault — issue 15, acceptance 4 (bench/fault.bench.ts says what
# it does and checks). Not part of npm test: it takes several minutes.
#
# A private nats-server (JetStream, its own store) and a private PostgreSQL
# cluster (initdb in a temporary directory, owned by the postgres user when
# run as root), both on free ports of 127.0.0.1, so the restarts it injects
# touch nobody else; both are stopped and removed at the end.
# Knobs: BENCH_FAULT_REQUESTS (3000), BENCH_FAULT_CONCURRENCY (8),
# BENCH_FAULT_CLIENT_DEADLINE_S (300), BENCH_FAULT_KEEP=1 (keep the
# temporary directory, its logs and data, for a look after a failure).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/dev.sh
source scripts/lib/dev.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

state=$(mktemp -d /tmp/signet-bench-fault.XXXXXX)
chmod 755 "$state"
nats_port=$(free_port)
pg_port=$(free_port)
export SIGNET_STATE_DIR=$state SIGNET_PGDATA=$state/pgdata

cleanup() {
  local pgbin
  pgbin=$(signet_pg_bindir) || true
  if [[ -f $state/pgdata/postmaster.pid ]]; then
    if signet_is_root; then (cd / && runuser -u postgres -- "$pgbin/pg_ctl" -D "$state/pgdata" -m immediate stop >/dev/null 2>&1) || true
    else "$pgbin/pg_ctl" -D "$state/pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  fi
  pkill -f -- "-sd $state/nats" 2>/dev/null || true
  if [[ ${BENCH_FAULT_KEEP:-0} == 1 ]]; then signet_log "bench:fault: kept $state"; else rm -rf "$state"; fi
}
trap cleanup EXIT

signet_ensure_node_modules
nats_bin=$(signet_nats_bin_installed)
signet_pg_private_start "$pg_port"
pg_bin=$(signet_pg_bindir)
pg_ctl="$pg_bin/pg_ctl -D $state/pgdata -l $state/postgres.log -w -t 60"
signet_is_root && pg_ctl="cd / && runuser -u postgres -- $pg_ctl"

export SIGNET_NATS_URL=nats://127.0.0.1:$nats_port
export SIGNET_TEST_ADMIN_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres
export BENCH_FAULT_NATS_BIN=$nats_bin BENCH_FAULT_NATS_STORE=$state/nats
export BENCH_FAULT_PG_CTL=$pg_ctl
export BENCH_FAULT_PG_OPTIONS="-o \"-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=''\""
signet_log "bench:fault: private NATS on 127.0.0.1:$nats_port, private PostgreSQL on 127.0.0.1:$pg_port ($state)"

npm run build --silent
npx jest -c e2e/jest.config.js --rootDir . --testMatch '<rootDir>/bench/fault.bench.ts' --runInBand </dev/null
