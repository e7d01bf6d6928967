#!/usr/bin/env bash
# npm start: installs dependencies if needed, makes sure PostgreSQL and NATS
# (JetStream; its own on 127.0.0.1:4322 with the per-service users and
# permissions of deploy/nats/nats.conf unless SIGNET_NATS_URL names another)
# are running locally, builds everything, then runs the five
# services in this terminal (scripts/run-all.mjs) and says when they are
# ready, with the URLs. Ctrl-C stops them; the PostgreSQL and NATS servers
# keep running.
# The terminal gets one line per step; npm's, nx's and the services' output
# goes to .signet/logs/ (SIGNET_LOG_DIR), or also to the terminal with
# --verbose. Arguments are passed to run-all.mjs (e.g. --only ca-core,policy-service).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/dev.sh
source scripts/lib/dev.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

verbose=""
for arg in "$@"; do
  [[ $arg == --verbose || $arg == -v ]] && verbose=1
done
export SIGNET_LOG_DIR=${SIGNET_LOG_DIR:-$SIGNET_STATE_DIR/logs}
mkdir -p "$SIGNET_LOG_DIR"

if [[ -n $verbose ]]; then
  signet_ensure_node_modules
else
  signet_ensure_node_modules "$SIGNET_LOG_DIR/install.log"
fi
mkdir -p "$SIGNET_STATE_DIR"
signet_ensure_postgres
if [[ -z ${SIGNET_NATS_URL:-} ]]; then
  # Secure by default: Signet's own NATS with the per-service users and permissions docker-compose ships.
  signet_ensure_secure_nats
else
  signet_ensure_nats # a NATS of the caller's (with SIGNET_NATS_*_PASSWORD set when it enforces deploy/nats/nats.conf)
fi
signet_ensure_ca_passphrase
signet_ensure_front_door_key
signet_ensure_admin_assertion_key

# Where relying parties find revocation status: issued certificates carry
# these as CRL distribution point and AIA (OCSP, caIssuers). SIGNET_PUBLIC_URL
# is the intermediary as clients reach it.
public_url=${SIGNET_PUBLIC_URL:-http://127.0.0.1:${SIGNET_HTTP_PORT:-8080}}
ca_name=${SIGNET_CA_NAME:-signet}
export SIGNET_CRL_URL=${SIGNET_CRL_URL-$public_url/crl/$ca_name.crl}
export SIGNET_DELTA_CRL_URL=${SIGNET_DELTA_CRL_URL-$public_url/crl/$ca_name+.crl}
export SIGNET_OCSP_URL=${SIGNET_OCSP_URL-$public_url/ocsp/$ca_name}
export SIGNET_CA_ISSUERS_URL=${SIGNET_CA_ISSUERS_URL-$public_url/ca/$ca_name.crt}
export SIGNET_DEFAULT_CA=${SIGNET_DEFAULT_CA-$ca_name} # requests that name no CA go to this one, never to another CA on the bus
# HTTPS with a certificate the intermediary gets from this CA (ADR 0029);
# the API stays on plain http too for development (the CLI's default URL).
export SIGNET_HTTP_API=${SIGNET_HTTP_API-true}
# 8443 stays free for the developer's own server (what `signet cert` suggests).
export SIGNET_HTTPS_PORT=${SIGNET_HTTPS_PORT-8082}

if [[ -n $verbose ]]; then
  signet_log "building (nx run-many -t build)"
  npx nx run-many -t build --outputStyle=stream </dev/null
else
  build_log=$SIGNET_LOG_DIR/build.log
  signet_log "building (log: ${build_log#"$SIGNET_ROOT"/})"
  npx nx run-many -t build --outputStyle=stream </dev/null >"$build_log" 2>&1 || signet_die_with_log "the build failed" "$build_log"
fi

exec node scripts/run-all.mjs "$@"
