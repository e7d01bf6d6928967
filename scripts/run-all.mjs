#!/usr/bin/env node
// Runs Signet's five services from dist/ in one terminal (what `npm start`
// ends with). ca-core starts first, the others right after; every output line
// is prefixed with the service's name. SIGINT/SIGTERM/SIGHUP are forwarded;
// when one service dies unexpectedly (non-zero exit or a signal) the others
// are stopped and this process exits non-zero.
//
//   node scripts/run-all.mjs                 all five services
//   node scripts/run-all.mjs --only ca-core,policy-service
//   node scripts/run-all.mjs --list          the services and entry points (JSON)
//
// Environment: passed through unchanged (see design.md "Running it" and each
// app's README), over a service's own defaults in SERVICES; a service with a
// `nice` value is started at that niceness (exit-service at 19: on one host
// the CA's processes come first; the launcher sets it, as systemd's Nice= or
// compose's cpu_shares would, ADR 0021). SIGNET_HTTP_HOST/PORT and SIGNET_ADMIN_HOST/PORT are also
// read here to print the URLs. SIGNET_STOP_TIMEOUT_MS (default 10000)
// bounds a graceful stop before SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The services and their entry points; docker-compose.yml uses the same ones. */
export const SERVICES = [
  { name: 'ca-core', entry: 'dist/apps/ca-core/main.js' },
  { name: 'policy-service', entry: 'dist/apps/policy-service/main.js' },
  { name: 'intermediary', entry: 'dist/apps/intermediary/main.js' },
  { name: 'admin-api', entry: 'dist/apps/admin-api/main.js' },
  // On one host with the CA, exit-service gives way to it: events wait in JetStream meanwhile (ADR 0021).
  { name: 'exit-service', entry: 'dist/apps/exit-service/main.js', nice: 19 },
];

/** nice(1) when the system has it (coreutils); without it a service runs at the launcher's priority. */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => existsSync(p));
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STOP_TIMEOUT_MS = Number(process.env.SIGNET_STOP_TIMEOUT_MS ?? 10_000);
const HEALTH_TIMEOUT_MS = 120_000;

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const COLORS = [36, 33, 32, 35, 34];
const width = Math.max(...SERVICES.map((s) => s.name.length));

function prefixFor(name, i) {
  const label = name.padEnd(width);
  return useColor ? `\x1b[${COLORS[i % COLORS.length]}m${label} |\x1b[0m ` : `${label} | `;
}

function say(msg) {
  process.stdout.write(`${'run-all'.padEnd(width)} | ${msg}\n`);
}

function parseArgs(argv) {
  const opts = { list: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') opts.list = true;
    else if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) opts.only = a.slice('--only='.length).split(',').filter(Boolean);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/run-all.mjs [--list] [--only name,name]\n');
      process.exit(0);
    } else {
      process.stderr.write(`run-all: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return opts;
}

function probeHost(host) {
  if (!host || host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function waitForHealth(url, isStopping) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline && !isStopping()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
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

  /** @type {Map<string, import('node:child_process').ChildProcess>} */
  const running = new Map();
  let stopping = false;
  let exitCode = 0;
  let killTimer;

  const childEnv = { ...process.env };
  // The children write to pipes: keep their colours on a terminal, and keep
  // escape codes out of CI logs otherwise (Nest's logger colours by default).
  if (useColor && childEnv.FORCE_COLOR === undefined) childEnv.FORCE_COLOR = '1';
  if (!useColor && childEnv.NO_COLOR === undefined && childEnv.FORCE_COLOR === undefined) childEnv.NO_COLOR = '1';

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
    const node = [process.execPath, '--enable-source-maps', service.entry];
    // nice(1) execs node in place: same pid, same process group.
    const [cmd, ...args] = service.nice && NICE ? [NICE, '-n', String(service.nice), ...node] : node;
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...service.env, ...childEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a Ctrl-C reaches this process only, and it forwards
      // exactly one signal (a second SIGINT would cut Nest's graceful close short).
      detached: true,
    });
    running.set(service.name, child);
    const prefix = prefixFor(service.name, index);
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(prefix + line + '\n'));
    }
    let reported = false;
    const onGone = (code, signal, error) => {
      if (reported) return;
      reported = true;
      running.delete(service.name);
      const how = error ? `failed to start (${error.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (stopping) {
        say(`${service.name} ${how}`);
      } else if (error || signal || code !== 0) {
        exitCode = typeof code === 'number' && code !== 0 ? code : 1;
        say(`${service.name} ${how}`);
        stopAll('SIGTERM', `${service.name} died`);
      } else {
        say(`${service.name} ${how}`);
      }
      finishIfDone();
    };
    child.on('error', (err) => onGone(null, null, err));
    child.on('exit', (code, signal) => onGone(code, signal, null));
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

  // ca-core first (it owns the stream and the database); the others as soon
  // as it has been spawned: each of them waits for its peers on the bus.
  const [first, ...rest] = selected;
  const firstChild = start(first, SERVICES.indexOf(first));
  firstChild.once('spawn', () => {
    if (stopping) return;
    for (const s of rest) start(s, SERVICES.indexOf(s));
  });

  if (selected.some((s) => s.name === 'intermediary')) {
    const host = probeHost(process.env.SIGNET_HTTP_HOST);
    const port = process.env.SIGNET_HTTP_PORT || '8080';
    const adminPort = process.env.SIGNET_ADMIN_PORT || '8081';
    const base = `http://${host}:${port}`;
    void waitForHealth(`${base}/healthz`, () => stopping).then((ok) => {
      if (stopping) return;
      if (!ok) {
        say(`intermediary did not answer ${base}/healthz within ${HEALTH_TIMEOUT_MS / 1000}s (still running)`);
        return;
      }
      say('Signet is up:');
      say(`  intermediary  ${base}/api/v1`);
      say(`  OpenAPI       ${base}/api/v1/openapi.json`);
      say(`  admin-api     http://${probeHost(process.env.SIGNET_ADMIN_HOST)}:${adminPort}`);
      say('  Ctrl-C stops every service.');
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
