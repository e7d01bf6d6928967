# shellcheck shell=bash
# Node dependencies and local development state, for scripts/start.sh and
# scripts/test.sh. Needs services.sh sourced first (signet_log, signet_die).

# A Node.js that package.json "engines" names (scripts/lib/node-version.cjs:
# pkijs/asn1js/Nest 12 are ESM-only and the CommonJS apps load them through
# require(esm); typeorm and jest skip some release lines).
signet_check_node() {
  command -v node >/dev/null 2>&1 || signet_die "node is not installed (Signet needs Node.js 20.19+, 22.13+ or 24.11+)"
  node "$SIGNET_ROOT/scripts/lib/node-version.cjs" || exit 1
}

# npm ci when node_modules is missing or older than package-lock.json
# (npm writes node_modules/.package-lock.json on every install).
# signet_ensure_node_modules [LOGFILE]: npm's output goes to LOGFILE when
# given (its last lines are shown if it fails), else to the terminal.
signet_ensure_node_modules() {
  signet_check_node
  local stamp=$SIGNET_ROOT/node_modules/.package-lock.json log=${1:-}
  if [[ ! -f $stamp || $SIGNET_ROOT/package-lock.json -nt $stamp ]]; then
    if [[ -z $log ]]; then
      signet_log "installing dependencies (npm ci)"
      (cd "$SIGNET_ROOT" && timeout 900 npm ci --no-audit --no-fund </dev/null) || signet_die "npm ci failed"
    else
      signet_log "installing dependencies (npm ci; log: ${log#"$SIGNET_ROOT"/})"
      mkdir -p "$(dirname "$log")"
      (cd "$SIGNET_ROOT" && timeout 900 npm ci --no-audit --no-fund </dev/null >"$log" 2>&1) || signet_die_with_log "npm ci failed" "$log"
    fi
  fi
}

# signet_die_with_log MESSAGE LOGFILE: the log's last lines, then MESSAGE, exit 1.
signet_die_with_log() {
  tail -n 30 "$2" | sed 's/^/[signet]   | /' >&2
  signet_die "$1 (whole log: ${2#"$SIGNET_ROOT"/})"
}

# ca-core refuses to start without a key passphrase. For local development
# generate one once into .signet/ca-passphrase (mode 0600) and point ca-core at
# it, unless the caller already gave SIGNET_CA_KEY_PASSPHRASE(_FILE).
signet_ensure_ca_passphrase() {
  if [[ -n ${SIGNET_CA_KEY_PASSPHRASE:-} || -n ${SIGNET_CA_KEY_PASSPHRASE_FILE:-} ]]; then
    return 0
  fi
  local file=$SIGNET_STATE_DIR/ca-passphrase
  if [[ ! -s $file ]]; then
    mkdir -p "$SIGNET_STATE_DIR"
    signet_log "generating a CA key passphrase for local development in $file"
    (
      umask 077
      node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url") + "\n")' >"$file.tmp"
      mv "$file.tmp" "$file"
    )
  fi
  chmod 600 "$file"
  export SIGNET_CA_KEY_PASSPHRASE_FILE=$file
}
