# shellcheck shell=bash
# Local PostgreSQL and NATS for Signet: start them when they are not listening,
# install them from Debian's packages when they are missing (root + apt only),
# and make sure the database role/database behind SIGNET_DATABASE_URL exist.
#
# Sourced by scripts/ensure-services.sh, scripts/start.sh and scripts/test.sh.
# Quiet when everything is already up; every wait has a time limit; nothing
# here reads stdin (CI runs with CI=true and no terminal).
#
# Knobs (all optional):
#   SIGNET_DATABASE_URL   default postgres://signet@127.0.0.1:5432/signet; the
#                         role, database and port to ensure are taken from it.
#                         A host other than 127.0.0.1/localhost is left alone.
#   SIGNET_NATS_URL       default nats://127.0.0.1:4222; same rule.
#   SIGNET_NATS_MONITOR_PORT  monitor port for a NATS we start (default 8222)
#   SIGNET_PGDATA         private cluster directory (default <repo>/.signet/pgdata)
#   SIGNET_SERVICE_TIMEOUT    seconds to wait for a server to come up (default 60)
#   SIGNET_NO_INSTALL=1   never call apt-get
#   SIGNET_SKIP_TOOLS=1   do not check certtool / docker-compose / the ACME tools

SIGNET_ROOT="${SIGNET_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SIGNET_STATE_DIR="${SIGNET_STATE_DIR:-$SIGNET_ROOT/.signet}"
SIGNET_SERVICE_TIMEOUT="${SIGNET_SERVICE_TIMEOUT:-60}"
_SIGNET_APT_UPDATED=""

signet_log() { printf '[signet] %s\n' "$*" >&2; }
signet_die() { printf '[signet] ERROR: %s\n' "$*" >&2; exit 1; }

# --- small helpers -----------------------------------------------------------

# signet_port_open HOST PORT: true when something accepts TCP connections.
# shellcheck disable=SC2016 # the inner bash expands $1/$2
signet_port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# signet_wait_port HOST PORT SECONDS
signet_wait_port() {
  local host=$1 port=$2 secs=$3 i
  for ((i = 0; i < secs * 4; i++)); do
    signet_port_open "$host" "$port" && return 0
    sleep 0.25
  done
  return 1
}

# signet_http_ok URL: true on a 2xx answer. curl when present, else bash only.
# shellcheck disable=SC2016 # the inner bash expands $1..$3
signet_http_ok() {
  local url=$1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 3 -o /dev/null "$url" 2>/dev/null
    return
  fi
  local rest=${url#http://} hostport path host port status
  hostport=${rest%%/*}
  path=/${rest#*/}
  [[ $rest == */* ]] || path=/
  host=${hostport%:*}
  port=${hostport##*:}
  [[ $port == "$hostport" ]] && port=80
  status=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
    IFS= read -r line <&3 && printf "%s" "$line"' _ "$host" "$port" "$path" 2>/dev/null) || return 1
  [[ $status =~ ^HTTP/[0-9.]+\ 2[0-9][0-9] ]]
}

signet_is_root() { [[ $(id -u) -eq 0 ]]; }

signet_can_apt() {
  [[ ${SIGNET_NO_INSTALL:-} != 1 ]] && signet_is_root && command -v apt-get >/dev/null 2>&1
}

# signet_apt_install PKG...: non-interactive, waits (bounded) for the dpkg lock.
signet_apt_install() {
  signet_can_apt || return 1
  local apt=(apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z $_SIGNET_APT_UPDATED ]]; then
    signet_log "apt-get update"
    timeout 600 "${apt[@]}" update </dev/null >&2 || signet_log "apt-get update failed; trying the install with the lists we have"
    _SIGNET_APT_UPDATED=1
  fi
  signet_log "apt-get install $*"
  timeout 900 "${apt[@]}" install -y --no-install-recommends "$@" </dev/null >&2
}

# signet_parse_url URL -> sets _u_scheme _u_user _u_pass _u_host _u_port _u_path
signet_parse_url() {
  local url=$1 rest auth hostport
  _u_scheme=${url%%://*}
  rest=${url#*://}
  _u_user="" _u_pass=""
  if [[ ${rest%%/*} == *@* ]]; then
    auth=${rest%%@*}
    rest=${rest#*@}
    _u_user=${auth%%:*}
    [[ $auth == *:* ]] && _u_pass=${auth#*:}
  fi
  hostport=${rest%%/*}
  _u_path=""
  [[ $rest == */* ]] && _u_path=${rest#*/}
  _u_path=${_u_path%%\?*}
  _u_host=${hostport%:*}
  _u_port=${hostport##*:}
  [[ $_u_port == "$hostport" ]] && _u_port=""
  return 0
}

signet_is_local_host() { [[ $1 == 127.0.0.1 || $1 == localhost ]]; }

# --- PostgreSQL --------------------------------------------------------------

# Highest installed PostgreSQL major's bin directory (Debian layout), if any.
signet_pg_bindir() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/postgres ]] && best=$d
  done
  if [[ -z $best ]] && command -v pg_ctl >/dev/null 2>&1; then
    best=$(dirname "$(command -v pg_ctl)")
  fi
  [[ -n $best ]] && printf '%s\n' "$best"
}

signet_psql() {
  if command -v psql >/dev/null 2>&1; then
    psql "$@"
  else
    "$(signet_pg_bindir)/psql" "$@"
  fi
}

# Runs SQL as a PostgreSQL superuser: over TCP as `postgres` when that is
# trusted (this project's machines, and our private cluster), otherwise as the
# `postgres` OS user over the Unix socket (peer auth on a fresh Debian cluster).
_SIGNET_PG_SUPER=""
signet_pg_super() {
  local port=$1
  shift
  if [[ -z $_SIGNET_PG_SUPER ]]; then
    if PGCONNECT_TIMEOUT=5 signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
      _SIGNET_PG_SUPER=tcp
    elif signet_is_root && id postgres >/dev/null 2>&1 &&
      (cd / && PGCONNECT_TIMEOUT=5 runuser -u postgres -- "$(command -v psql || echo "$(signet_pg_bindir)/psql")" -X -w -q -p "$port" -d postgres -Atc 'select 1') >/dev/null 2>&1; then
      _SIGNET_PG_SUPER=socket
    else
      signet_die "cannot connect to PostgreSQL on 127.0.0.1:$port as a superuser (tried 'psql -h 127.0.0.1 -U postgres' and the postgres OS user over the socket). Create the role/database yourself, or point SIGNET_DATABASE_URL at a server you can use."
    fi
  fi
  if [[ $_SIGNET_PG_SUPER == tcp ]]; then
    PGCONNECT_TIMEOUT=5 signet_psql -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
  else
    (cd / && PGCONNECT_TIMEOUT=5 runuser -u postgres -- "$(command -v psql || echo "$(signet_pg_bindir)/psql")" -X -w -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
  fi
}

# Debian cluster ("ver name") configured on PORT, if any.
signet_pg_debian_cluster() {
  local port=$1
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2; exit }'
}

signet_pg_private_start() {
  local port=$1 bindir pgdata log owner=""
  bindir=$(signet_pg_bindir) || true
  [[ -n $bindir && -x $bindir/initdb ]] || signet_die "PostgreSQL's initdb not found (looked in /usr/lib/postgresql/*/bin and PATH)"
  pgdata=${SIGNET_PGDATA:-$SIGNET_STATE_DIR/pgdata}
  log=$(dirname "$pgdata")/postgres.log
  mkdir -p "$(dirname "$pgdata")"
  # initdb refuses to run as root: the cluster belongs to the postgres user then.
  local run=()
  if signet_is_root; then
    id postgres >/dev/null 2>&1 || signet_die "running as root but there is no 'postgres' OS user to own a private cluster"
    run=(runuser -u postgres --)
    owner=postgres
  fi
  if [[ ! -f $pgdata/PG_VERSION ]]; then
    signet_log "creating a private PostgreSQL cluster in $pgdata (trust auth, 127.0.0.1:$port)"
    mkdir -p "$pgdata"
    chmod 700 "$pgdata"
    touch "$log"
    if [[ -n $owner ]]; then
      chown "$owner": "$pgdata" "$log"
      (cd / && "${run[@]}" test -w "$pgdata") ||
        signet_die "the postgres user cannot write $pgdata (a parent directory is not searchable?); set SIGNET_PGDATA to a directory it can use"
    fi
    (cd / && timeout 120 "${run[@]}" "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$log.initdb" 2>&1) ||
      signet_die "initdb failed; see $log.initdb"
  fi
  signet_log "starting the private PostgreSQL cluster ($pgdata, 127.0.0.1:$port)"
  # TCP only (no Unix socket): its directory may not exist on a machine without
  # the Debian package, and every client here uses 127.0.0.1.
  (cd / && timeout 90 "${run[@]}" "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=''" start >/dev/null) || {
    tail -n 20 "$log" >&2 || true
    signet_die "could not start the private PostgreSQL cluster; log: $log"
  }
}

# signet_pg_add_hba PORT ROLE METHOD: put "host all ROLE 127.0.0.1/32 METHOD"
# first in the server's pg_hba.conf and reload.
signet_pg_add_hba() {
  local port=$1 role=$2 method=$3 hba tmp
  hba=$(signet_pg_super "$port" -Atc 'show hba_file') || signet_die "cannot read hba_file setting"
  [[ -w $hba ]] || signet_die "role '$role' cannot log in over 127.0.0.1 and $hba is not writable by $(id -un); add 'host all $role 127.0.0.1/32 $method' to it and reload PostgreSQL"
  if ! grep -qE "^host[[:space:]]+all[[:space:]]+${role}[[:space:]]+127\.0\.0\.1/32[[:space:]]+$method" "$hba"; then
    signet_log "allowing role '$role' from 127.0.0.1 with '$method' in $hba (local development)"
    tmp=$(mktemp)
    {
      printf '# added by Signet scripts/lib/services.sh for local development\n'
      printf 'host all %s 127.0.0.1/32 %s\n' "$role" "$method"
      printf 'host all %s ::1/128 %s\n' "$role" "$method"
      cat "$hba"
    } >"$tmp"
    cat "$tmp" >"$hba" # keeps the file's owner and mode
    rm -f "$tmp"
  fi
  signet_pg_super "$port" -Atc 'select pg_reload_conf()' >/dev/null
  sleep 0.5
}

signet_ensure_postgres() {
  local url=${SIGNET_DATABASE_URL:-postgres://signet@127.0.0.1:5432/signet}
  signet_parse_url "$url"
  local host=$_u_host port=${_u_port:-5432} role=${_u_user:-signet} db=${_u_path:-signet} pass=$_u_pass
  if ! signet_is_local_host "$host"; then
    return 0 # someone else's server: not ours to start or provision
  fi
  [[ $role =~ ^[a-z_][a-z0-9_]*$ && $db =~ ^[a-z_][a-z0-9_]*$ ]] ||
    signet_die "SIGNET_DATABASE_URL: role and database names must match ^[a-z_][a-z0-9_]*$ (got '$role', '$db')"

  if ! signet_port_open 127.0.0.1 "$port"; then
    if [[ -z $(signet_pg_bindir) ]]; then
      signet_apt_install postgresql ||
        signet_die "PostgreSQL is not installed and cannot be installed here (needs root and apt-get). Install PostgreSQL 15, or set SIGNET_DATABASE_URL to a running server."
    fi
    local cluster started=""
    # A package install may have started its cluster already.
    signet_port_open 127.0.0.1 "$port" && started=1
    cluster=$(signet_pg_debian_cluster "$port")
    if [[ -z $started && -n $cluster ]]; then
      signet_log "starting PostgreSQL cluster $cluster"
      # shellcheck disable=SC2086 # "ver name"
      timeout 90 pg_ctlcluster --skip-systemctl-redirect $cluster start </dev/null >&2 ||
        signet_log "pg_ctlcluster $cluster start returned an error"
      if signet_wait_port 127.0.0.1 "$port" 10; then
        started=1
      else
        signet_log "PostgreSQL cluster $cluster did not start; falling back to a private cluster"
      fi
    fi
    [[ -n $started ]] || signet_pg_private_start "$port"
    signet_wait_port 127.0.0.1 "$port" "$SIGNET_SERVICE_TIMEOUT" ||
      signet_die "PostgreSQL did not start listening on 127.0.0.1:$port within ${SIGNET_SERVICE_TIMEOUT}s"
  fi

  # Fast path: the application's own URL already works.
  local can_create
  if can_create=$(PGCONNECT_TIMEOUT=5 PGPASSWORD=$pass signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U "$role" -d "$db" \
    -Atc "select has_schema_privilege('public', 'CREATE')" 2>/dev/null); then
    # ca-core's migrations create tables in the public schema.
    [[ $can_create == t ]] ||
      signet_log "WARNING: role '$role' may not create tables in database '$db' (someone else owns it); ca-core's migrations will fail. Fix: ALTER DATABASE $db OWNER TO $role"
    return 0
  fi
  if ! command -v psql >/dev/null 2>&1 && [[ ! -x $(signet_pg_bindir)/psql ]]; then
    signet_apt_install postgresql-client || signet_die "psql is needed to create the '$role' role and database"
  fi

  local sql
  sql=$(signet_pg_super "$port" -Atc "select 1 from pg_roles where rolname = '$role'") || signet_die "cannot query PostgreSQL on 127.0.0.1:$port"
  if [[ $sql != 1 ]]; then
    signet_log "creating PostgreSQL role '$role'"
    signet_pg_super "$port" -c "create role $role login" >/dev/null
  fi
  if [[ -n $pass ]]; then
    # The URL carries a password: make the role's match it (local development).
    signet_pg_super "$port" -v "pw=$pass" >/dev/null <<<"alter role $role password :'pw';"
  fi
  sql=$(signet_pg_super "$port" -Atc "select 1 from pg_database where datname = '$db'")
  if [[ $sql != 1 ]]; then
    signet_log "creating PostgreSQL database '$db' owned by '$role'"
    signet_pg_super "$port" -c "create database $db owner $role" >/dev/null
  fi

  if ! PGCONNECT_TIMEOUT=5 PGPASSWORD=$pass signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U "$role" -d "$db" -Atc 'select 1' >/dev/null 2>&1; then
    # A fresh Debian cluster asks for a password on 127.0.0.1 (scram-sha-256);
    # the default URL has none, so trust this one role from loopback.
    if [[ -n $pass ]]; then
      signet_pg_add_hba "$port" "$role" scram-sha-256
    else
      signet_pg_add_hba "$port" "$role" trust
    fi
    PGCONNECT_TIMEOUT=5 PGPASSWORD=$pass signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U "$role" -d "$db" -Atc 'select 1' >/dev/null ||
      signet_die "role '$role' still cannot connect to database '$db' on 127.0.0.1:$port"
  fi
}

# Tests create throw-away databases through an admin URL
# (SIGNET_TEST_ADMIN_DATABASE_URL for e2e, SIGNET_TEST_PG_URL for ca-core's
# specs), by default postgres@127.0.0.1 with trust auth as on the project's
# machines. Where that superuser login is refused (a fresh Debian cluster asks
# for a password), use a non-superuser role `signet_test` with CREATEDB,
# trusted from loopback only, and export both URLs for this process's children.
signet_ensure_test_db_admin() {
  [[ -n ${SIGNET_TEST_ADMIN_DATABASE_URL:-} || -n ${SIGNET_TEST_PG_URL:-} ]] && return 0
  local url=${SIGNET_DATABASE_URL:-postgres://signet@127.0.0.1:5432/signet}
  signet_parse_url "$url"
  signet_is_local_host "$_u_host" || return 0
  local port=${_u_port:-5432}
  if PGCONNECT_TIMEOUT=5 signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    return 0
  fi
  if ! PGCONNECT_TIMEOUT=5 signet_psql -X -w -q -h 127.0.0.1 -p "$port" -U signet_test -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    local have
    have=$(signet_pg_super "$port" -Atc "select 1 from pg_roles where rolname = 'signet_test'") || signet_die "cannot query PostgreSQL on 127.0.0.1:$port"
    if [[ $have != 1 ]]; then
      signet_log "creating PostgreSQL role 'signet_test' (login, createdb) for the tests' throw-away databases"
      signet_pg_super "$port" -c 'create role signet_test login createdb' >/dev/null
    fi
    signet_pg_add_hba "$port" signet_test trust
  fi
  export SIGNET_TEST_ADMIN_DATABASE_URL="postgres://signet_test@127.0.0.1:$port/postgres"
  export SIGNET_TEST_PG_URL=$SIGNET_TEST_ADMIN_DATABASE_URL
}

# --- NATS --------------------------------------------------------------------

signet_nats_bin() {
  local b
  for b in "${SIGNET_NATS_SERVER_BIN:-}" "$(command -v nats-server 2>/dev/null)" /usr/sbin/nats-server /usr/bin/nats-server /usr/local/bin/nats-server; do
    [[ -n $b && -x $b ]] && { printf '%s\n' "$b"; return 0; }
  done
  return 1
}

# The nats-server binary, installed from Debian's packages when missing (root + apt only).
signet_nats_bin_installed() {
  signet_nats_bin && return 0
  signet_apt_install nats-server >&2 ||
    signet_die "nats-server is not installed and cannot be installed here (needs root and apt-get). Install nats-server >= 2.9 or set SIGNET_NATS_URL."
  signet_nats_bin || signet_die "nats-server still not found after installing it"
}

# The first line a NATS server sends is INFO {...}; it says whether JetStream is on.
# shellcheck disable=SC2016 # the inner bash expands $1/$2
signet_nats_info() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; IFS= read -r -t 2 line <&3 && printf "%s\n" "$line"' _ "$1" "$2" 2>/dev/null
}

signet_ensure_nats() {
  local url=${SIGNET_NATS_URL:-nats://127.0.0.1:4222}
  url=${url%%,*} # first server of a list
  [[ $url == *://* ]] || url="nats://$url"
  signet_parse_url "$url"
  local host=$_u_host port=${_u_port:-4222} mport=${SIGNET_NATS_MONITOR_PORT:-8222}
  signet_is_local_host "$host" || return 0

  if signet_port_open 127.0.0.1 "$port"; then
    local info
    info=$(signet_nats_info 127.0.0.1 "$port") || true
    if [[ $info != INFO* ]]; then
      signet_die "something listens on 127.0.0.1:$port but it does not speak NATS"
    fi
    if [[ $info != *'"jetstream":true'* ]]; then
      signet_die "the NATS server on 127.0.0.1:$port runs without JetStream; restart it with -js (Signet's events need it)"
    fi
    return 0
  fi

  local bin
  bin=$(signet_nats_bin_installed) || exit 1
  if signet_port_open 127.0.0.1 "$mport"; then
    signet_die "cannot start NATS with monitoring on 127.0.0.1:$mport: the port is taken; set SIGNET_NATS_MONITOR_PORT"
  fi
  local store=$SIGNET_STATE_DIR/nats log=$SIGNET_STATE_DIR/nats.log
  mkdir -p "$store"
  signet_log "starting nats-server with JetStream on 127.0.0.1:$port (store $store, log $log)"
  signet_run_nats "$bin" "$port" "$mport" "$log" "$SIGNET_STATE_DIR/nats-$port.pid" -js -sd "$store"
}

# signet_run_nats BIN PORT MONITOR_PORT LOG PIDFILE [ARGS...]: starts
# nats-server on 127.0.0.1 in a session of its own (it outlives this script
# and a Ctrl-C in `npm start`) and waits until JetStream is healthy.
signet_run_nats() {
  local bin=$1 port=$2 mport=$3 log=$4 pidfile=$5 i
  shift 5
  setsid "$bin" "$@" -a 127.0.0.1 -p "$port" -m "$mport" -l "$log" -P "$pidfile" </dev/null >/dev/null 2>&1 &
  disown || true
  for ((i = 0; i < SIGNET_SERVICE_TIMEOUT * 4; i++)); do
    if signet_http_ok "http://127.0.0.1:$mport/healthz?js-enabled-only=true"; then
      signet_wait_port 127.0.0.1 "$port" 5 && return 0
    fi
    sleep 0.25
  done
  tail -n 20 "$log" >&2 2>/dev/null || true
  signet_die "NATS did not become healthy (JetStream) within ${SIGNET_SERVICE_TIMEOUT}s; log: $log"
}

# npm start's own NATS, secured as docker-compose's is: the shipped
# deploy/nats/nats.conf (one user per service, each allowed only its own
# subjects and inbox), passwords generated once into
# .signet/nats-passwords.env (mode 0600) and exported, on 127.0.0.1:4322
# (SIGNET_SECURE_NATS_PORT; monitoring on SIGNET_SECURE_NATS_MONITOR_PORT,
# 8322) so that it never meets an unauthenticated NATS on 4222. Sets
# SIGNET_NATS_URL. Reuses the server when it is already running (its pid
# file); refuses a port that something else holds.
SIGNET_NATS_SERVICES=(CA_CORE POLICY_SERVICE INTERMEDIARY ADMIN_API EXIT_SERVICE)
signet_ensure_secure_nats() {
  local port=${SIGNET_SECURE_NATS_PORT:-4322} mport=${SIGNET_SECURE_NATS_MONITOR_PORT:-8322}
  local dir=$SIGNET_STATE_DIR/nats-secure pwfile=$SIGNET_STATE_DIR/nats-passwords.env s
  mkdir -p "$dir/store"
  if [[ ! -s $pwfile ]]; then
    signet_log "generating NATS passwords for the five services in ${pwfile#"$SIGNET_ROOT"/}"
    (
      umask 077
      # A letter first: nats-server reads the variable as a config value (deploy/nats/nats.conf).
      for s in "${SIGNET_NATS_SERVICES[@]}"; do
        printf 'SIGNET_NATS_%s_PASSWORD=p%s\n' "$s" "$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')"
      done >"$pwfile.tmp"
      mv "$pwfile.tmp" "$pwfile"
    )
  fi
  chmod 600 "$pwfile"
  set -a
  # shellcheck source=/dev/null
  source "$pwfile"
  set +a
  export SIGNET_NATS_URL=nats://127.0.0.1:$port
  if signet_port_open 127.0.0.1 "$port"; then
    local pid
    pid=$(cat "$dir/nats.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ $(readlink -f "/proc/$pid/exe" 2>/dev/null) == *nats-server* ]]; then
      return 0
    fi
    signet_die "127.0.0.1:$port is taken by something that is not npm start's NATS; set SIGNET_SECURE_NATS_PORT (or SIGNET_NATS_URL and the SIGNET_NATS_*_PASSWORD variables to use a NATS of your own)"
  fi
  local bin
  bin=$(signet_nats_bin_installed) || exit 1
  if signet_port_open 127.0.0.1 "$mport"; then
    signet_die "cannot start NATS with monitoring on 127.0.0.1:$mport: the port is taken; set SIGNET_SECURE_NATS_MONITOR_PORT"
  fi
  # The shipped file with the store moved here (its store_dir is the container's /data).
  sed "s|store_dir: \"/data\"|store_dir: \"$dir/store\"|" "$SIGNET_ROOT/deploy/nats/nats.conf" >"$dir/nats.conf"
  grep -q "store_dir: \"$dir/store\"" "$dir/nats.conf" || signet_die "deploy/nats/nats.conf has no store_dir \"/data\" line to move"
  "$bin" -c "$dir/nats.conf" -t >/dev/null 2>&1 || signet_die "nats-server refuses $dir/nats.conf (check: $bin -c $dir/nats.conf -t)"
  signet_log "starting nats-server with the shipped per-service users and permissions on 127.0.0.1:$port (log ${dir#"$SIGNET_ROOT"/}/nats.log)"
  signet_run_nats "$bin" "$port" "$mport" "$dir/nats.log" "$dir/nats.pid" -c "$dir/nats.conf"
}

# --- tools the tests call ----------------------------------------------------

signet_ensure_tools() {
  [[ ${SIGNET_SKIP_TOOLS:-} == 1 ]] && return 0
  # The independent certificate checkers the tests call (toolchain.md),
  # docker-compose for e2e/infra/compose.spec.ts, and strongSwan's pki.
  local missing=()
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v certtool >/dev/null 2>&1 || missing+=(gnutls-bin)
  python3 -c 'import cryptography' >/dev/null 2>&1 || missing+=(python3-cryptography)
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd) # SMTP server for the exit-module mail tests
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # ACME: a test DNS server for the challenge validator's tests (pebble ships
  # pebble-challtestsrv), and the real clients the ACME end-to-end tests run.
  command -v pebble-challtestsrv >/dev/null 2>&1 || missing+=(pebble)
  command -v lego >/dev/null 2>&1 || missing+=(lego)
  command -v certbot >/dev/null 2>&1 || missing+=(certbot)
  command -v dehydrated >/dev/null 2>&1 || missing+=(dehydrated)
  # EST client for e2e/est.spec.ts: pki, plus the plugins without which it can neither fetch nor parse (clients.md).
  command -v pki >/dev/null 2>&1 || missing+=(strongswan-pki)
  [[ -e /usr/lib/ipsec/plugins/libstrongswan-openssl.so ]] || missing+=(libstrongswan-standard-plugins)
  [[ -e /usr/lib/ipsec/plugins/libstrongswan-curl.so ]] || missing+=(libstrongswan-extra-plugins)
  ((${#missing[@]})) || return 0
  if signet_can_apt; then
    signet_apt_install "${missing[@]}" || signet_log "could not install ${missing[*]}; the tests that need them will fail or say so"
    if [[ " ${missing[*]} " == *" python3-cryptography "* ]] && ! python3 -c 'import cryptography' >/dev/null 2>&1; then
      signet_log "python3 on PATH ($(command -v python3 || echo none)) still lacks the cryptography module (Debian's is for /usr/bin/python3)"
    fi
  else
    signet_log "not installed: ${missing[*]} (needs root and apt-get); the tests that need them will fail or say so"
  fi
}

signet_ensure_services() {
  mkdir -p "$SIGNET_STATE_DIR"
  signet_ensure_postgres
  signet_ensure_nats
  signet_ensure_tools
}
