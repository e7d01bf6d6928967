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

# The intermediary signs who asks for ca-core with its front-door key (ADR
# 0026). For local development generate an Ed25519 pair once into
# .signet/front-door.key (PKCS#8, mode 0600) and .signet/front-door.pub, and
# point the intermediary at the private key and ca-core at the public one
# (run-all.mjs gives the private key to the intermediary alone), unless the
# caller already gave SIGNET_FRONT_DOOR_KEY(_FILE) / SIGNET_FRONT_DOOR_KEYS(_FILE).
signet_ensure_front_door_key() {
  local key=$SIGNET_STATE_DIR/front-door.key pub=$SIGNET_STATE_DIR/front-door.pub
  if [[ -z ${SIGNET_FRONT_DOOR_KEY:-} && -z ${SIGNET_FRONT_DOOR_KEY_FILE:-} ]]; then
    if [[ ! -s $key ]]; then
      mkdir -p "$SIGNET_STATE_DIR"
      signet_log "generating the intermediary's front-door key for local development in $key"
      (
        umask 077
        node -e 'const { generateKeyPairSync } = require("node:crypto"); const k = generateKeyPairSync("ed25519"); process.stdout.write(k.privateKey.export({ type: "pkcs8", format: "pem" }))' >"$key.tmp"
        mv "$key.tmp" "$key"
      )
      rm -f "$pub"
    fi
    chmod 600 "$key"
    if [[ ! -s $pub ]]; then
      node -e 'const { createPublicKey } = require("node:crypto"); const fs = require("node:fs"); process.stdout.write(createPublicKey(fs.readFileSync(process.argv[1])).export({ type: "spki", format: "pem" }))' "$key" >"$pub.tmp"
      mv "$pub.tmp" "$pub"
    fi
    export SIGNET_FRONT_DOOR_KEY_FILE=$key
  fi
  if [[ -z ${SIGNET_FRONT_DOOR_KEYS:-} && -z ${SIGNET_FRONT_DOOR_KEYS_FILE:-} ]]; then
    # ca-core reduces a private key to its public half, but it only needs, and only gets, the public one.
    [[ -s $pub ]] || signet_die "SIGNET_FRONT_DOOR_KEY(_FILE) is set but SIGNET_FRONT_DOOR_KEYS(_FILE) is not: ca-core needs the front door's public key"
    export SIGNET_FRONT_DOOR_KEYS_FILE=$pub
  fi
}

# admin-api signs every admin command for ca-core and every dead-letter
# command for exit-service with an Ed25519 key, and both believe an
# administrator only from that signature (ADR 0028). For local development
# generate the pair once into .signet/ (mode 0600: admin-api-assertion.key,
# PKCS#8; admin-api-assertion.pub, SPKI) and point admin-api at the private
# half and ca-core and exit-service at the public one (scripts/run-all.mjs
# gives the private key's variables to admin-api only), unless the caller
# already gave SIGNET_ADMIN_ASSERTION_KEY(_FILE) / SIGNET_ADMIN_ASSERTION_KEYS(_FILE).
signet_ensure_admin_assertion_key() {
  if [[ -n ${SIGNET_ADMIN_ASSERTION_KEY:-} || -n ${SIGNET_ADMIN_ASSERTION_KEY_FILE:-} ]]; then
    [[ -n ${SIGNET_ADMIN_ASSERTION_KEYS:-} || -n ${SIGNET_ADMIN_ASSERTION_KEYS_FILE:-} ]] ||
      signet_die "SIGNET_ADMIN_ASSERTION_KEY is set but SIGNET_ADMIN_ASSERTION_KEYS is not: ca-core and exit-service need admin-api's public key"
    return 0
  fi
  local key=$SIGNET_STATE_DIR/admin-api-assertion.key pub=$SIGNET_STATE_DIR/admin-api-assertion.pub
  if [[ ! -s $key || ! -s $pub ]]; then
    mkdir -p "$SIGNET_STATE_DIR"
    signet_log "generating admin-api's assertion key pair in ${key#"$SIGNET_ROOT"/} and .pub"
    (
      umask 077
      node -e '
        const { generateKeyPairSync } = require("node:crypto");
        const fs = require("node:fs");
        const { privateKey, publicKey } = generateKeyPairSync("ed25519");
        fs.writeFileSync(process.argv[1] + ".tmp", privateKey.export({ type: "pkcs8", format: "pem" }));
        fs.writeFileSync(process.argv[2] + ".tmp", publicKey.export({ type: "spki", format: "pem" }));
      ' "$key" "$pub"
      mv "$key.tmp" "$key"
      mv "$pub.tmp" "$pub"
    )
  fi
  chmod 600 "$key" "$pub"
  export SIGNET_ADMIN_ASSERTION_KEY_FILE=$key
  [[ -n ${SIGNET_ADMIN_ASSERTION_KEYS:-} || -n ${SIGNET_ADMIN_ASSERTION_KEYS_FILE:-} ]] || export SIGNET_ADMIN_ASSERTION_KEYS_FILE=$pub
}
