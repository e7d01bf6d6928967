/*
 * Benchmark (not part of the test suite): issuance throughput and latency
 * with exit modules attached — one of them hanging, never answering —
 * against the same stack with no exit modules, in alternating rounds. The
 * claim: exit modules never slow the CA down (within 10 %, throughput and
 * p95 latency).
 *
 * Run (builds first; real NATS and PostgreSQL as for the e2e tests):
 *   npm run bench:exit
 * Knobs: BENCH_REQUESTS (default 1000 per round), BENCH_CONCURRENCY (16),
 * BENCH_ROUNDS (6 per variant), BENCH_NICE=0, BENCH_PUBLISH_ON_DISK=1,
 * BENCH_MODULES (a subset for variant B: files,fast-hook,hanging-hook,mail),
 * BENCH_BATCH_WINDOW (the modules' batchWindowMs; default: exit-service's),
 * BENCH_EXIT_CONCURRENCY (each module's concurrency, default 8),
 * BENCH_EXIT_NICE (the niceness exit-service runs at; default 19, as
 * `npm start` runs it; 0 to compare without),
 * BENCH_CONTROL_BURN=<fraction>[,idle] (a control: B also runs a process
 * that only burns that fraction of one CPU at the lowest priority).
 * Writes bench/results/exit.json.
 */
import { BusClient } from '@signet/bus';
import { Commands } from '@signet/contracts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { opensslCsr } from '../e2e/support/openssl';
import { ROOT, waitFor } from '../e2e/support/processes';
import { SmtpSink } from '@signet/testing';
import { Stack } from '../e2e/support/stack';
import { cpuByRole, cpuDelta, machine, startBlackHole, startReceiver } from './exit-support';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WARMUP = 500;
/** The receivers (stand-ins for other hosts) at the lowest CPU priority (see deprioritise). */
const NICE = process.env.BENCH_NICE !== '0';
/** exit-service's niceness, as `npm start` runs it (the deployment sets it, ADR 0021; docker-compose gives it the lowest CPU share). */
const EXIT_NICE = Number(process.env.BENCH_EXIT_NICE ?? 19);
const [BURN, BURN_POLICY] = (process.env.BENCH_CONTROL_BURN ?? '').split(',');

interface Round {
  requests: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const secret = randomBytes(24).toString('hex');
const csr = opensslCsr({ subject: '/CN=bench.example.com', sans: ['DNS:bench.example.com'] });

function pct(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
}

/** REQUESTS submits on the bus to ca-core (real policy-service), CONCURRENCY at a time. */
async function load(stack: Stack, n: number): Promise<Round> {
  const client = new BusClient(stack.nc, 30_000);
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const t0 = process.hrtime.bigint();
        const r = await client.call(Commands.submit, stack.ca, { request: csr, attributes: 'CertificateTemplate:WebServer' });
        if (r.disposition !== 'issued') throw new Error(`not issued: ${r.message}`);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { requests: n, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round((n / seconds) * 10) / 10, latencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), max: pct(latencies, 100) } };
}

/**
 * Where the file publisher writes. tmpfs (/dev/shm) by default: on this
 * one-disk machine PostgreSQL's commit fsyncs and the publisher's fsyncs
 * would share a disk, which a deployment does not (BENCH_PUBLISH_ON_DISK=1
 * measures that too).
 */
function publishDir(stack: Stack): string {
  const base = process.env.BENCH_PUBLISH_ON_DISK === '1' || !existsSync('/dev/shm') ? stack.dir : '/dev/shm';
  return mkdtempSync(join(base, 'signet-bench-published-'));
}

interface Variant {
  name: string;
  rounds: Round[];
  cpuSeconds: Record<string, number>;
}

/**
 * Both variants on one stack, in alternating rounds (A B, B A, A B, …), so
 * that drift — PostgreSQL's caches warming, tables growing, other load on
 * the machine — falls on both alike. Between rounds exit-service is
 * restarted with the other exit-module file: none (A), or the four modules
 * (B). Before a B round the working modules first catch up with what the
 * A round issued (they are durable consumers: events issued while they
 * were away wait for them), so every B round measures their steady state.
 */
async function interleaved(): Promise<{ without: Variant; with: Variant; delivered: Record<string, number> }> {
  // Every service in a session (and scheduler autogroup) of its own, as scripts/run-all.mjs (`npm start`) starts them.
  const stack = new Stack({ ownSession: ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service'] });
  const published = publishDir(stack);
  const receiver = await startReceiver(secret, { ownSession: NICE });
  const hole = await startBlackHole();
  const smtp = new SmtpSink({ ownSession: NICE, keep: false, pipelining: true });
  await smtp.start();
  const all = [
    { name: 'files', type: 'file', events: ['certificate.issued'], directory: published },
    { name: 'fast-hook', type: 'webhook', events: ['certificate.issued'], url: receiver.url, secret: { env: 'BENCH_HOOK_SECRET' } },
    { name: 'hanging-hook', type: 'webhook', events: ['certificate.issued'], url: hole.url, secret: { env: 'BENCH_HOOK_SECRET' } },
    { name: 'mail', type: 'mail', events: ['certificate.issued'], smtp: { host: '127.0.0.1', port: smtp.port }, from: 'ca@bench.test', to: ['pki@bench.test'] },
  ];
  // BENCH_MODULES=hanging-hook (say): variant B with only some of them, to see what each costs.
  const mods = process.env.BENCH_MODULES ? all.filter((m) => process.env.BENCH_MODULES!.split(',').includes(m.name)) : all;
  const none = join(stack.dir, 'bench-exit-none.yaml');
  const four = join(stack.dir, 'bench-exit-modules.yaml');
  writeFileSync(none, stringify({ modules: [] }));
  // `start: all`: the modules' consumers, created at the first B round, also take what was issued before (all of it counts).
  const window = process.env.BENCH_BATCH_WINDOW ? { batchWindowMs: Number(process.env.BENCH_BATCH_WINDOW) } : {};
  writeFileSync(four, stringify({ defaults: { concurrency: Number(process.env.BENCH_EXIT_CONCURRENCY ?? 8), timeoutMs: 5000, start: 'all', ...window }, modules: mods }));
  // Quiet services: debug logging of every request would measure the terminal.
  const env = { BENCH_HOOK_SECRET: secret, SIGNET_LOG_LEVEL: 'warn' };
  let issued = 0;
  const has = (name: string) => mods.some((m) => m.name === name);
  const delivered = () => ({ ...(has('files') ? { files: readdirSync(published).length / 2 } : {}), ...(has('fast-hook') ? { webhook: receiver.seen() } : {}), ...(has('mail') ? { mails: smtp.count() } : {}) });
  const caughtUp = () => Object.values(delivered()).every((n) => n >= issued);
  let attached: boolean | undefined;
  let burner: ChildProcess | undefined;
  const attach = async (modules: boolean) => {
    if (attached === modules) return;
    burner?.kill('SIGKILL');
    burner = undefined;
    await stack.restart('exit-service', { ...env, SIGNET_EXIT_CONFIG: modules ? four : none, SIGNET_LOG_LEVEL: 'log' });
    const svc = stack.service('exit-service');
    await waitFor('exit-service to deliver', async () => svc.log().includes('is delivering'), 30_000, 50);
    if (EXIT_NICE) {
      // As nice(1) under npm start; its own session's autogroup too, or nice would rank it only within that group.
      execFileSync('renice', ['-n', String(EXIT_NICE), '-p', String(svc.pid)], { stdio: 'ignore' });
      if (existsSync(`/proc/${svc.pid}/autogroup`)) writeFileSync(`/proc/${svc.pid}/autogroup`, String(EXIT_NICE));
    }
    if (modules) {
      await waitFor('the working modules to catch up', async () => caughtUp(), 120_000, 100);
      if (BURN) {
        burner = spawn(process.execPath, [join(ROOT, 'bench', 'cpu-burner.js'), BURN], { stdio: 'ignore', detached: true });
        await waitFor('the control burner', async () => existsSync(`/proc/${burner!.pid}/autogroup`), 5_000, 20);
        deprioritise(['bench/cpu-burner.js'], BURN_POLICY === 'idle');
      }
    }
    attached = modules;
  };
  const run = async (n: number) => {
    const r = await load(stack, n);
    issued += n;
    return r;
  };
  await stack.start({ ...env, SIGNET_EXIT_CONFIG: none });
  deprioritise(['webhook-receiver/server.js', 'aiosmtpd'], true);
  try {
    const A: Variant = { name: 'no exit modules', rounds: [], cpuSeconds: {} };
    const B: Variant = { name: process.env.BENCH_MODULES ? `modules ${mods.map((m) => m.name).join(' + ')}` : 'file + webhook + mail + a hanging webhook', rounds: [], cpuSeconds: {} };
    const add = (v: Variant, d: Record<string, number>) => {
      for (const [k, x] of Object.entries(d)) v.cpuSeconds[k] = Math.round(((v.cpuSeconds[k] ?? 0) + x) * 100) / 100;
    };
    await attach(false);
    await run(WARMUP);
    await attach(true);
    await run(WARMUP);
    for (let i = 0; i < ROUNDS; i++) {
      for (const modules of i % 2 === 0 ? [false, true] : [true, false]) {
        await attach(modules);
        const cpu0 = cpuByRole();
        const round = await run(REQUESTS);
        add(modules ? B : A, cpuDelta(cpu0, cpuByRole()));
        (modules ? B : A).rounds.push(round);
      }
    }
    // Every event ever issued reaches every working module (the hanging one holds its own, retried later, never lost).
    await attach(true);
    await waitFor('the working modules to catch up', async () => caughtUp(), 120_000).catch(() => undefined);
    return { without: A, with: B, delivered: { issued, ...delivered(), hangingWebhookConnections: hole.connections() } };
  } finally {
    burner?.kill('SIGKILL');
    await stack.close();
    receiver.stop();
    hole.stop();
    await smtp.stop();
    rmSync(published, { recursive: true, force: true });
  }
}

/**
 * A deployment gives the systems exit-service delivers to (the webhook
 * receiver, the mail relay) hosts of their own; on this one small machine
 * they share the CA's CPUs. The lowest CPU priority there is stands in for
 * that: nice 19 and, with `idle`, SCHED_IDLE on all their threads (a task
 * the CA's tasks preempt at once when they wake). exit-service itself runs
 * as `npm start` runs it (nice BENCH_EXIT_NICE).
 *
 * With autogroup scheduling on (the Linux default for desktop and server
 * kernels alike, and on here), a task's nice value only orders it against
 * tasks of its own session; sessions compete as groups of equal weight. So
 * each of these processes is started in a session of its own and its
 * group's nice (/proc/<pid>/autogroup) is set to 19 as well as its own:
 * against ca-core's, PostgreSQL's and nats-server's groups it then weighs
 * 15 to their 1024. nats-server's extra work for the modules' consumers is
 * not deprioritised (a deployment shares its NATS). BENCH_NICE=0 turns all
 * of this off: the receivers at normal priority in the benchmark's session.
 */
function deprioritise(patterns: string[], idle: boolean): void {
  if (!NICE) return;
  const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m || !patterns.some((p) => m[2].includes(p))) continue;
    execFileSync('renice', ['-n', '19', '-p', m[1]], { stdio: 'ignore' });
    // Without autogroup scheduling the file is missing and nice alone does the job.
    if (existsSync(`/proc/${m[1]}/autogroup`)) writeFileSync(`/proc/${m[1]}/autogroup`, '19');
    if (idle) execFileSync('chrt', ['--all-tasks', '--idle', '--pid', '0', m[1]], { stdio: 'ignore' });
  }
}


const best = (rs: Round[]) => rs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round(((s[m - 1] + s[m]) / 2) * 10) / 10;
};

it('issuance with exit modules attached (one hanging) stays within 10 % of issuance without them', async () => {
  const { without, with: withModules, delivered } = await interleaved();
  const tput = (v: Variant) => median(v.rounds.map((r) => r.perSecond));
  const p95 = (v: Variant) => median(v.rounds.map((r) => r.latencyMs.p95));
  const result = {
    benchmark: 'exit modules vs none: issuance on the bus (Commands.submit → ca-core with the real policy-service), alternating rounds on one stack',
    date: new Date().toISOString(),
    machine: machine(),
    settings: { requestsPerRound: REQUESTS, roundsPerVariant: ROUNDS, warmup: WARMUP, concurrency: CONCURRENCY, publishOnDisk: process.env.BENCH_PUBLISH_ON_DISK === '1' || !existsSync('/dev/shm'), exitServiceNice: EXIT_NICE, servicesOwnSessions: true, receivers: NICE ? 'nice 19, own autogroup at 19, SCHED_IDLE' : 'normal', ...(BURN ? { controlBurn: { fractionOfOneCpu: Number(BURN), policy: BURN_POLICY === 'idle' ? 'SCHED_IDLE' : 'nice 19' } } : {}) },
    without: { ...without, medianPerSecond: tput(without), medianP95Ms: p95(without), best: best(without.rounds) },
    with: { ...withModules, medianPerSecond: tput(withModules), medianP95Ms: p95(withModules), best: best(withModules.rounds) },
    delivered,
    throughputChangePercent: Math.round(((tput(withModules) - tput(without)) / tput(without)) * 1000) / 10,
    p95ChangePercent: Math.round(((p95(withModules) - p95(without)) / p95(without)) * 1000) / 10,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'exit.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  // Every working module delivered every event; the claim holds for throughput and for latency.
  for (const [k, n] of Object.entries(delivered)) if (k !== 'issued' && k !== 'hangingWebhookConnections') expect([k, n]).toEqual([k, delivered.issued]);
  expect(result.throughputChangePercent).toBeGreaterThan(-10);
  expect(result.p95ChangePercent).toBeLessThan(10);
}, 900_000);
