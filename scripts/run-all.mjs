#!/usr/bin/env node
// Runs Signet's five services from dist/ in one terminal (what `npm start`
// ends with). ca-core starts first, the others right after. The terminal
// gets a short progress summary: what starts, what it is waiting for, and
// the URLs once every service is ready (the intermediary's /readyz: the
// default CA with its key and its policy module, exit-service; admin-api's
// /readyz). Each service's output goes to <log dir>/<service>.log (the
// previous run's to <service>.log.1), or with --verbose also to the
// terminal, prefixed with the service's name. SIGINT/SIGTERM/SIGHUP are
// forwarded; when a service dies unexpectedly (non-zero exit or a signal),
// before or after ready, it is named with the last lines of its output, the
// others are stopped and this process exits non-zero.
//
//   node scripts/run-all.mjs                 all five services
//   node scripts/run-all.mjs --only ca-core,policy-service
//   node scripts/run-all.mjs --verbose       the services' output in the terminal too
//   node scripts/run-all.mjs --list          the services and entry points (JSON)
//
// Environment: passed through unchanged (see each app's README), over a
// service's own defaults in SERVICES (intermediary: SIGNET_READY_EXIT_SERVICE=true
// when exit-service runs too); a service with a `nice` value is started at
// that niceness (exit-service at 19: on one host the CA's processes come
// first; the launcher sets it, as systemd's Nice= or compose's cpu_shares
// would, ADR 0021).
// Read here as well: SIGNET_HTTP_HOST/PORT and SIGNET_ADMIN_HOST/PORT (the
// readiness probes and the URLs printed), SIGNET_TLS_MODE,
// SIGNET_HTTPS_HOST/PORT and SIGNET_DEFAULT_CA (the https URLs printed), SIGNET_LOG_DIR (default
// .signet/logs), SIGNET_STOP_TIMEOUT_MS (default 10000: a graceful stop's
// bound before SIGKILL), SIGNET_READY_TIMEOUT_SECONDS (default 120).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The services and their entry points; docker-compose.yml uses the same ones (and the same env defaults). */
export const SERVICES = [
  { name: 'ca-core', entry: 'dist/apps/ca-core/main.js' },
  { name: 'policy-service', entry: 'dist/apps/policy-service/main.js' },
  // Ready only once exit-service answers too (it runs alongside); turned off below when it does not.
  { name: 'intermediary', entry: 'dist/apps/intermediary/main.js', env: { SIGNET_READY_EXIT_SERVICE: 'true' } },
  { name: 'admin-api', entry: 'dist/apps/admin-api/main.js' },
  // On one host with the CA, exit-service gives way to it: events wait in JetStream meanwhile (ADR 0021).
  { name: 'exit-service', entry: 'dist/apps/exit-service/main.js', nice: 19 },
];

/**
 * Each service connects as its own NATS user when the password variables of
 * deploy/nats/nats.conf are set (npm start's NATS generates them; so does a
 * deployment): SIGNET_NATS_<SERVICE>_PASSWORD becomes that service's
 * SIGNET_NATS_USER / SIGNET_NATS_PASSWORD. An explicit SIGNET_NATS_USER wins.
 */
export function natsUserFor(name, env) {
  const password = env[`SIGNET_NATS_${name.toUpperCase().replace(/-/g, '_')}_PASSWORD`];
  if (!password || env.SIGNET_NATS_USER) return {};
  return { SIGNET_NATS_USER: name, SIGNET_NATS_PASSWORD: password };
}

/**
 * Secrets only one service may be told about; every other service starts
 * without them (ca-core gets the public halves, exit-service admin-api's):
 * the front-door key signs who asks (ADR 0026), the intermediary's alone;
 * admin-api's assertion key signs which administrator acts (ADR 0028),
 * admin-api's alone.
 */
export const PRIVATE_ENV = {
  SIGNET_FRONT_DOOR_KEY: 'intermediary',
  SIGNET_FRONT_DOOR_KEY_FILE: 'intermediary',
  SIGNET_ADMIN_ASSERTION_KEY: 'admin-api',
  SIGNET_ADMIN_ASSERTION_KEY_FILE: 'admin-api',
};

/** `env` without the secrets that belong to another service than `name`. */
export function withoutForeignSecrets(name, env) {
  const out = { ...env };
  for (const [k, owner] of Object.entries(PRIVATE_ENV)) if (owner !== name) delete out[k];
  return out;
}

/** nice(1) when the system has it (coreutils); without it a service runs at the launcher's priority. */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => existsSync(p));
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STOP_TIMEOUT_MS = Number(process.env.SIGNET_STOP_TIMEOUT_MS ?? 10_000);
const READY_TIMEOUT_MS = Number(process.env.SIGNET_READY_TIMEOUT_SECONDS ?? 120) * 1000;
/** Lines of a service's output kept to explain why it died. */
const TAIL_LINES = 12;

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const COLORS = [36, 33, 32, 35, 34];
const width = Math.max(...SERVICES.map((s) => s.name.length));

function prefixFor(name, i) {
  const label = name.padEnd(width);
  return useColor ? `\x1b[${COLORS[i % COLORS.length]}m${label} |\x1b[0m ` : `${label} | `;
}

function say(msg) {
  process.stdout.write(`[signet] ${msg}\n`);
}

function complain(msg) {
  process.stderr.write(`[signet] ${msg}\n`);
}

function usage() {
  return 'usage: node scripts/run-all.mjs [--list] [--verbose] [--only name,name]\n';
}

function parseArgs(argv) {
  const opts = { list: false, only: null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') opts.list = true;
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) opts.only = a.slice('--only='.length).split(',').filter(Boolean);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(usage());
      process.exit(0);
    } else {
      process.stderr.write(`run-all: unknown argument ${a}\n${usage()}`);
      process.exit(2);
    }
  }
  return opts;
}

function probeHost(host) {
  if (!host || host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The banner's intermediary lines: the API's URL, https unless HTTPS is off
 * (ADR 0029), and how to trust the CA that issued its certificate.
 */
function intermediaryUrls(httpBase) {
  if (process.env.SIGNET_TLS_MODE === 'off') return [`  intermediary  ${httpBase}/api/v1`, `  OpenAPI       ${httpBase}/api/v1/openapi.json`];
  const httpsBase = `https://${probeHost(process.env.SIGNET_HTTPS_HOST || process.env.SIGNET_HTTP_HOST)}:${process.env.SIGNET_HTTPS_PORT || '8443'}`;
  const ca = process.env.SIGNET_DEFAULT_CA || process.env.SIGNET_CA_NAME || '<ca>';
  return [
    `  intermediary  ${httpsBase}/api/v1`,
    `  OpenAPI       ${httpsBase}/api/v1/openapi.json`,
    `  trust the CA  curl -o ca.pem '${httpBase}/ca/${ca}.crt?format=pem' && curl --cacert ca.pem ${httpsBase}/api/v1/cas`,
    `  plain http    ${httpBase} (CRLs, OCSP, CA certificates${process.env.SIGNET_HTTP_API === 'true' ? '; the API too, for development' : ''})`,
  ];
}

/** A path as the user typed it would: relative to the repository when inside it. */
function shown(p) {
  const rel = path.relative(ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** One /readyz probe: null when ready, else why not (the service's own words when it gave them). */
async function notReady(name, url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    if (res.ok) return null;
    const body = await res.json().catch(() => undefined);
    return `${name}: ${body?.message ?? `HTTP ${res.status}`}`;
  } catch {
    return `${name}: not answering ${url} yet`;
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) {
    process.stdout.write(`${JSON.stringify(SERVICES, null, 2)}\n`);
    return;
  }
  let selected = SERVICES;
  if (opts.only) {
    const unknown = opts.only.filter((n) => !SERVICES.some((s) => s.name === n));
    if (unknown.length) {
      process.stderr.write(`run-all: unknown service(s): ${unknown.join(', ')}\n`);
      process.exit(2);
    }
    selected = SERVICES.filter((s) => opts.only.includes(s.name));
  }
  const missing = selected.filter((s) => !existsSync(path.join(ROOT, s.entry)));
  if (missing.length) {
    process.stderr.write(
      `run-all: not built: ${missing.map((s) => s.entry).join(', ')}\n` +
        'run-all: build first: npx nx run-many -t build (npm start does it for you)\n',
    );
    process.exit(1);
  }
  const runs = (name) => selected.some((s) => s.name === name);
  const logDir = path.resolve(ROOT, process.env.SIGNET_LOG_DIR || path.join('.signet', 'logs'));
  mkdirSync(logDir, { recursive: true });

  /** @type {Map<string, import('node:child_process').ChildProcess>} */
  const running = new Map();
  /** @type {Map<string, string[]>} the last lines each service wrote */
  const tails = new Map();
  let stopping = false;
  let ready = false;
  let exitCode = 0;
  let killTimer;

  const childEnv = { ...process.env };
  // The children write to pipes: keep their colours on a terminal when shown
  // there, and keep escape codes out of log files and CI logs otherwise
  // (Nest's logger colours by default).
  if (opts.verbose && useColor && childEnv.FORCE_COLOR === undefined) childEnv.FORCE_COLOR = '1';
  if (!(opts.verbose && useColor) && childEnv.NO_COLOR === undefined && childEnv.FORCE_COLOR === undefined) childEnv.NO_COLOR = '1';

  function envFor(service) {
    const defaults = { ...service.env };
    // No exit-service here: the intermediary must not wait for one.
    if (service.name === 'intermediary' && !runs('exit-service')) defaults.SIGNET_READY_EXIT_SERVICE = 'false';
    return withoutForeignSecrets(service.name, { ...defaults, ...childEnv, ...natsUserFor(service.name, childEnv) });
  }

  function signalAll(signal) {
    for (const child of running.values()) {
      try {
        // Each child leads its own process group (detached), so this reaches
        // anything it started too.
        process.kill(-child.pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
    }
  }

  function finishIfDone() {
    if (running.size > 0) return;
    clearTimeout(killTimer);
    process.exit(exitCode);
  }

  function stopAll(signal, reason) {
    if (stopping) return;
    stopping = true;
    if (running.size > 0) say(`${reason}; stopping ${[...running.keys()].join(', ')}`);
    signalAll(signal);
    killTimer = setTimeout(() => {
      if (running.size > 0) say(`still running after ${STOP_TIMEOUT_MS} ms, killing: ${[...running.keys()].join(', ')}`);
      signalAll('SIGKILL');
    }, STOP_TIMEOUT_MS);
    killTimer.unref();
    finishIfDone();
  }

  function start(service, index) {
    const logFile = path.join(logDir, `${service.name}.log`);
    if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const node = [process.execPath, '--enable-source-maps', service.entry];
    // nice(1) execs node in place: same pid, same process group.
    const [cmd, ...args] = service.nice && NICE ? [NICE, '-n', String(service.nice), ...node] : node;
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: envFor(service),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a Ctrl-C reaches this process only, and it forwards
      // exactly one signal (a second SIGINT would cut Nest's graceful close short).
      detached: true,
    });
    running.set(service.name, child);
    const tail = [];
    tails.set(service.name, tail);
    const prefix = prefixFor(service.name, index);
    const streams = [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ];
    let open = streams.length;
    const lineDone = new Promise((resolve) => {
      for (const [stream, out] of streams) {
        const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
        rl.on('line', (line) => {
          log.write(`${line}\n`);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          if (opts.verbose) out.write(prefix + line + '\n');
        });
        rl.on('close', () => {
          if (--open === 0) resolve();
        });
      }
    });
    let reported = false;
    const onGone = async (code, signal, error) => {
      if (reported) return;
      reported = true;
      // Everything it wrote is in the tail and the log before it is judged (bounded:
      // something it started may hold its output open).
      await Promise.race([lineDone, new Promise((r) => setTimeout(r, 2_000).unref())]);
      log.end();
      running.delete(service.name);
      const how = error ? `failed to start (${error.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (stopping) {
        say(`${service.name} ${how}`);
      } else if (error || signal || code !== 0) {
        exitCode = typeof code === 'number' && code !== 0 ? code : 1;
        complain(`${service.name} ${how}${ready ? '' : ' while starting'}:`);
        for (const line of tails.get(service.name) ?? []) complain(`  | ${line}`);
        complain(`  full log: ${shown(logFile)}`);
        stopAll('SIGTERM', `${service.name} died`);
      } else {
        say(`${service.name} ${how}`);
      }
      finishIfDone();
    };
    child.on('error', (err) => void onGone(null, null, err));
    child.on('exit', (code, signal) => void onGone(code, signal, null));
    return child;
  }

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stopping) {
        say(`${sig} again: killing everything now`);
        signalAll('SIGKILL');
        return;
      }
      stopAll(sig === 'SIGHUP' ? 'SIGTERM' : sig, `${sig} received`);
    });
  }
  // Last resort (e.g. an exception in this script): leave no orphans behind.
  process.on('exit', () => {
    if (running.size > 0) signalAll('SIGKILL');
  });

  say(`starting ${selected.map((s) => s.name).join(', ')} (logs: ${shown(logDir)}/<service>.log${opts.verbose ? ', and here' : '; --verbose shows them here'})`);
  // ca-core first (it owns the stream and the database); the others as soon
  // as it has been spawned: each of them waits for its peers on the bus.
  const [first, ...rest] = selected;
  const firstChild = start(first, SERVICES.indexOf(first));
  firstChild.once('spawn', () => {
    if (stopping) return;
    for (const s of rest) start(s, SERVICES.indexOf(s));
  });

  const httpBase = `http://${probeHost(process.env.SIGNET_HTTP_HOST)}:${process.env.SIGNET_HTTP_PORT || '8080'}`;
  const adminBase = `http://${probeHost(process.env.SIGNET_ADMIN_HOST)}:${process.env.SIGNET_ADMIN_PORT || '8081'}`;
  const probes = [
    ...(runs('intermediary') ? [['intermediary', `${httpBase}/readyz`]] : []),
    ...(runs('admin-api') ? [['admin-api', `${adminBase}/readyz`]] : []),
  ];
  if (probes.length === 0) {
    say(`started ${selected.map((s) => s.name).join(', ')}; no HTTP service among them to tell when they are ready`);
    return;
  }
  void (async () => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastReason;
    while (!stopping && Date.now() < deadline) {
      const reasons = (await Promise.all(probes.map(([name, url]) => notReady(name, url)))).filter(Boolean);
      if (stopping) return;
      if (reasons.length === 0) {
        ready = true;
        say('Signet is ready:');
        if (runs('intermediary')) for (const line of intermediaryUrls(httpBase)) say(line);
        if (runs('admin-api')) say(`  admin-api     ${adminBase}`);
        say(`  logs          ${shown(logDir)}/`);
        say('  Ctrl-C stops every service.');
        return;
      }
      if (reasons[0] !== lastReason) say(`waiting: ${(lastReason = reasons[0])}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!stopping) complain(`not ready after ${READY_TIMEOUT_MS / 1000} s (${lastReason}); the services keep running; logs in ${shown(logDir)}/`);
  })();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
