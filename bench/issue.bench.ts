/*
 * Benchmark (not part of the test suite): issuance throughput, issue 15.
 * Signet — all five services from dist/, HTTP submit to the intermediary →
 * ca-core → policy-service → PostgreSQL → event — against cfssl (Debian's
 * golang-cfssl, `cfssl serve`) without a database and with its sqlite
 * certdb, each loaded by the same load generator: wrk, closed loop,
 * kept-alive connections, every request a POST of the next of BENCH_CSRS
 * distinct P-256 CSRs (bench/wrk-rotate.lua). Concurrency 1, 8 and 32,
 * interleaved: each round runs every concurrency on every system, the
 * systems' order rotating, so drift falls on all of them alike.
 *
 * Reported per system and concurrency: certificates per second, p50/p99
 * latency (wrk's, medians over the rounds), CPU milliseconds per certificate
 * per process (utime + stime from /proc/<pid>/stat before and after each
 * run), and Signet's throughput as a multiple of cfssl's. Then issue 15's
 * acceptance 2 on Signet's database (bench/issuance-check.ts).
 *
 * Signet's policy: the bench writes its own policy file from the shipped one
 * with the WebServer template issuing at once (benchPolicyFile), so it
 * measures issuance, not an approval queue.
 *
 * Run (NATS and PostgreSQL running as for the e2e tests; wrk, cfssl and
 * sqlite3 are installed with apt-get when missing and the bench runs as
 * root, else it says what to install):
 *   npm run bench:issue
 * Knobs: BENCH_SECONDS (per point, default 20), BENCH_ROUNDS (3),
 * BENCH_CONCURRENCY (1,8,32), BENCH_SYSTEMS (signet,cfssl,cfssl-db),
 * BENCH_CSRS (2000), BENCH_WARMUP_SECONDS (5), BENCH_EXIT_NICE (19, as
 * `npm start` runs exit-service), BENCH_SMOKE=1 (a trial of the harness:
 * results go to bench/results/issue-smoke-<date>.json, docs/benchmarks.md is
 * left alone), BENCH_DOCS=0 (no docs either way), BENCH_PRELOAD (0; e.g.
 * 5000000: Signet's database holds that many issued certificates, and 5 %
 * more other requests, before the first measured request — issue 15's
 * "flat as the certificate table grows"; seeded by PostgreSQL as
 * bench/seed-view.ts seeds, none revoked, ca-core stopped meanwhile).
 * Writes bench/results/issue-<date>.json (issue-preload-<n>-<date>.json) and,
 * unless a smoke run, the summary between the issue-bench markers
 * (issue-bench-preload) of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { signetCli } from '../e2e/support/cli';
import { APPS, ROOT } from '../e2e/support/processes';
import { Stack } from '../e2e/support/stack';
import { checkIssuance, type IssuanceCheck } from './issuance-check';
import { seedRequests } from './seed-view';
import {
  benchPolicyFile,
  cpuSeconds,
  distinctCsrs,
  ensureTools,
  listenerPid,
  machine,
  machineBusySeconds,
  postgresPids,
  reapedChildrenCpuSeconds,
  runWrk,
  startCfssl,
  writeBodies,
  type Cfssl,
  type WrkResult,
} from './issue-support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'signet,cfssl,cfssl-db').split(',') as SystemName[];
const CSRS = Number(process.env.BENCH_CSRS ?? 2000);
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const EXIT_NICE = Number(process.env.BENCH_EXIT_NICE ?? 19);
const SMOKE = process.env.BENCH_SMOKE === '1';
const DOCS = !SMOKE && process.env.BENCH_DOCS !== '0';
const PRELOAD = Number(process.env.BENCH_PRELOAD ?? 0);
/** Pause between two runs, so what one left in flight does not land in the next. */
const PAUSE_MS = 1_000;
const DOMAIN = 'bench.example.com';

type SystemName = 'signet' | 'cfssl' | 'cfssl-db';

interface System {
  name: SystemName;
  url: string;
  bodies: string;
  /** The processes whose CPU is counted, by role; looked up again before each run (PostgreSQL backends come and go). */
  processes(): Record<string, number[]>;
}

interface Run {
  round: number;
  system: SystemName;
  concurrency: number;
  seconds: number;
  /** Answers with a 2xx status. */
  ok: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: WrkResult['errors'];
  cpuSeconds: Record<string, number>;
  /** CPU of processes outside the system under test and wrk (other load on the machine). */
  otherCpuSeconds: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
/** Two significant digits: a ratio far below 1 must not round to 0. */
const ratio = (a: number, b: number) => Number((a / b).toPrecision(2));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(system: System, concurrency: number, seconds: number, round: number): Promise<Run> {
  // CPU per process, by pid: a PostgreSQL backend that starts during the run is counted from zero, and one that
  // ends during it (a pool closing an idle connection) drops out of both sides instead of subtracting its past.
  const read = (roles: Record<string, number[]>) => Object.fromEntries(Object.entries(roles).map(([role, pids]) => [role, new Map(pids.map((p) => [p, cpuSeconds(p)]))]));
  const before = read(system.processes());
  const wrkBefore = reapedChildrenCpuSeconds();
  const busyBefore = machineBusySeconds();
  const { result } = await runWrk(system.url, system.bodies, concurrency, seconds);
  const busy = machineBusySeconds() - busyBefore;
  const after = read(system.processes());
  const cpu: Record<string, number> = {};
  for (const [role, pids] of Object.entries(after)) {
    let used = 0;
    for (const [pid, s] of pids) if (s !== undefined) used += s - (before[role]?.get(pid) ?? 0);
    cpu[role] = r2(used);
  }
  cpu.wrk = r2(reapedChildrenCpuSeconds() - wrkBefore);
  const ours = Object.values(cpu).reduce((a, b) => a + b, 0);
  const ok = result.requests - result.errors.status;
  const secs = result.durationUs / 1e6;
  return {
    round,
    system: system.name,
    concurrency,
    seconds: r2(secs),
    ok,
    perSecond: r1(ok / secs),
    latencyMs: { p50: r2(result.latencyUs.p50 / 1000), p90: r2(result.latencyUs.p90 / 1000), p99: r2(result.latencyUs.p99 / 1000), max: r2(result.latencyUs.max / 1000) },
    errors: result.errors,
    cpuSeconds: cpu,
    otherCpuSeconds: r2(Math.max(0, busy - ours)),
  };
}

/** Per system and concurrency: medians over the rounds, CPU per certificate over all rounds together. */
function summarize(runs: Run[]) {
  const out: Record<string, Record<number, { perSecond: number; p50Ms: number; p99Ms: number; cpuMsPerCertificate: Record<string, number>; totalCpuMsPerCertificate: number }>> = {};
  for (const system of SYSTEMS) {
    out[system] = {};
    for (const c of CONCURRENCY) {
      const rs = runs.filter((r) => r.system === system && r.concurrency === c);
      if (!rs.length) continue;
      const certs = rs.reduce((a, r) => a + r.ok, 0);
      const cpu: Record<string, number> = {};
      for (const r of rs) for (const [role, s] of Object.entries(r.cpuSeconds)) cpu[role] = (cpu[role] ?? 0) + s;
      const perCert = Object.fromEntries(Object.entries(cpu).map(([role, s]) => [role, certs ? r2((s * 1000) / certs) : 0]));
      const total = Object.entries(perCert).filter(([role]) => role !== 'wrk').reduce((a, [, v]) => a + v, 0);
      out[system][c] = { perSecond: r2(median(rs.map((r) => r.perSecond))), p50Ms: r2(median(rs.map((r) => r.latencyMs.p50))), p99Ms: r2(median(rs.map((r) => r.latencyMs.p99))), cpuMsPerCertificate: perCert, totalCpuMsPerCertificate: r2(total) };
    }
  }
  const ratios: Record<number, { signetOverCfssl?: number; signetOverCfsslDb?: number }> = {};
  for (const c of CONCURRENCY) {
    const s = out.signet?.[c]?.perSecond;
    if (s === undefined) continue;
    ratios[c] = {
      ...(out.cfssl?.[c] ? { signetOverCfssl: ratio(s, out.cfssl[c].perSecond) } : {}),
      ...(out['cfssl-db']?.[c] ? { signetOverCfsslDb: ratio(s, out['cfssl-db'][c].perSecond) } : {}),
    };
  }
  return { bySystem: out, ratios };
}

function markdown(result: { date: string; machine: Record<string, string | number>; settings: Record<string, unknown>; summary: ReturnType<typeof summarize>; check?: IssuanceCheck; otherCpuSeconds: number; measuredSeconds: number }): string {
  const m = result.machine;
  const { bySystem, ratios } = result.summary;
  const cell = (s: SystemName, c: number) => {
    const x = bySystem[s]?.[c];
    return x ? `${x.perSecond}/s, p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms` : '—';
  };
  const lines = [
    `${SMOKE ? '**Smoke run — a trial of the harness, not a measurement.** ' : ''}${PRELOAD ? `**With ${PRELOAD.toLocaleString('en')} certificates (and ${Math.round(PRELOAD / 20).toLocaleString('en')} other requests) stored before the first measured request.** ` : ''}Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC on ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.nats}, PostgreSQL ${m.postgres}, cfssl ${m.cfssl}, ${m.wrk}, sqlite ${m.sqlite3}; load average ${m.loadavg} at the start. ` +
      `${result.settings.rounds} rounds × ${result.settings.secondsPerPoint} s per point. Other processes on the machine used ${result.otherCpuSeconds} CPU s during ${result.measuredSeconds} s of measurement (${r1((result.otherCpuSeconds / (result.measuredSeconds * Number(m.nproc))) * 100)} % of the machine); a run where this is more than a few per cent was disturbed.`,
    '',
    '| concurrency | Signet | cfssl, nothing stored | cfssl with its sqlite DB | Signet ÷ cfssl | Signet ÷ cfssl with DB |',
    '|---:|---|---|---|---:|---:|',
    ...CONCURRENCY.map((c) => `| ${c} | ${cell('signet', c)} | ${cell('cfssl', c)} | ${cell('cfssl-db', c)} | ${ratios[c]?.signetOverCfssl ?? '—'} | ${ratios[c]?.signetOverCfsslDb ?? '—'} |`),
    '',
    'CPU milliseconds per certificate, by process (summed over the rounds; `nats-server` and `postgres (background)` serve every user of the shared servers; `wrk` is the load generator, not counted in the total):',
    '',
    '| system | concurrency | total | by process |',
    '|---|---:|---:|---|',
    ...SYSTEMS.flatMap((s) =>
      CONCURRENCY.filter((c) => bySystem[s]?.[c]).map((c) => {
        const x = bySystem[s][c];
        const parts = Object.entries(x.cpuMsPerCertificate).sort((a, b) => b[1] - a[1]).map(([role, v]) => `${role} ${v}`);
        return `| ${s} | ${c} | ${x.totalCpuMsPerCertificate} | ${parts.join(', ')} |`;
      }),
    ),
  ];
  if (result.check) {
    const k = result.check;
    lines.push('', `After the run (acceptance 2): ${k.certificates} certificate rows for ${k.answered} issued answers (at most ${k.inFlightAtStop} in flight at the stops), ${k.duplicateSerials.length} duplicate serials, ${k.issuedEvents} certificate.issued events, ${k.inProcess} requests in process, audit chain ${k.audit.ok ? `verified (${k.audit.checked} entries)` : 'BROKEN'}: ${k.ok ? 'all hold' : k.problems.join('; ')}.`);
  }
  return lines.join('\n');
}

jest.setTimeout(6 * 3_600_000);

it('bench:issue — Signet against cfssl with and without its DB, at 1, 8 and 32 in flight', async () => {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-issue-'));
  const stack = new Stack({ ownSession: [...APPS] });
  const cfssls: Array<{ name: SystemName; c: Cfssl }> = [];
  try {
    const csrs = await distinctCsrs(CSRS, DOMAIN);
    const systems: Record<string, System> = {};

    if (SYSTEMS.includes('signet')) {
      // Quiet services (debug logging of every request would measure the terminal); the bench's own policy file.
      const env = { SIGNET_LOG_LEVEL: 'warn', SIGNET_POLICY_FILE: benchPolicyFile(join(dir, 'policy.yaml'), DOMAIN) };
      await stack.start(env);
      if (PRELOAD > 0) {
        // The table as a CA that has issued PRELOAD certificates has it; ca-core stopped while PostgreSQL writes it.
        await stack.service('ca-core').stop();
        const t = Date.now();
        // Its own connection, closed before anything is measured: its backend's CPU must not count as Signet's.
        const seeder = new Client({ connectionString: stack.databaseUrl });
        await seeder.connect();
        try {
          await seedRequests(seeder, stack.ca, PRELOAD, Math.round(PRELOAD / 20), { revokedEvery: 0 });
          // The load's dirty pages written out now, not by the checkpointer during the first measured points (needs a superuser; else it simply happens later).
          await seeder.query('CHECKPOINT').catch(() => undefined);
        } finally {
          await seeder.end();
        }
        process.stdout.write(`preloaded ${PRELOAD} certificates in ${Math.round((Date.now() - t) / 1000)} s\n`);
        await stack.restart('ca-core', env);
      }
      const exit = stack.service('exit-service').pid!;
      if (EXIT_NICE) {
        // As `npm start` runs it (ADR 0021): nice, and its session's autogroup too.
        execFileSync('renice', ['-n', String(EXIT_NICE), '-p', String(exit)], { stdio: 'ignore' });
        if (existsSync(`/proc/${exit}/autogroup`)) writeFileSync(`/proc/${exit}/autogroup`, String(EXIT_NICE));
      }
      const natsPid = listenerPid(Number(new URL(process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222').port || 4222));
      systems.signet = {
        name: 'signet',
        url: `${stack.baseUrl}/api/v1/requests`,
        bodies: writeBodies(join(dir, 'signet.jsonl'), csrs.map((csr) => ({ csr, attributes: { CertificateTemplate: 'WebServer' }, ca: stack.ca }))),
        processes: () => {
          const pg = postgresPids(stack.dbName);
          return {
            ...Object.fromEntries(APPS.map((a) => [a, [stack.service(a).pid!]])),
            ...(natsPid ? { 'nats-server': [natsPid] } : {}),
            postgres: pg.backends,
            'postgres (background)': pg.background,
          };
        },
      };
    }
    for (const name of ['cfssl', 'cfssl-db'] as const) {
      if (!SYSTEMS.includes(name)) continue;
      const c = await startCfssl(dir, name === 'cfssl-db');
      cfssls.push({ name, c });
      systems[name] = { name, url: `${c.url}/api/v1/cfssl/sign`, bodies: writeBodies(join(dir, `${name}.jsonl`), csrs.map((csr) => ({ certificate_request: csr }))), processes: () => ({ cfssl: [c.pid] }) };
    }

    // Each system issues at once, or the bench stops here saying so.
    let signetAnswered = 0;
    let signetInFlight = 0;
    for (const s of Object.values(systems)) {
      const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(s.bodies, 'utf8').split('\n')[0] });
      const body = (await res.json()) as { disposition?: string; success?: boolean; message?: string };
      const issued = s.name === 'signet' ? res.status === 201 && body.disposition === 'issued' : res.ok && body.success === true;
      if (!issued) throw new Error(`${s.name} did not issue at once (HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}); check the bench's policy file (benchPolicyFile)`);
      if (s.name === 'signet') signetAnswered++;
    }

    const runs: Run[] = [];
    const count = (r: Run) => {
      if (r.system !== 'signet') return;
      signetAnswered += r.ok;
      // Answers never read: the requests in flight when wrk stopped, and any it gave up on.
      signetInFlight += r.concurrency + r.errors.read + r.errors.write + r.errors.timeout;
    };
    for (const s of Object.values(systems)) {
      if (WARMUP_S > 0) count(await measure(s, 8, WARMUP_S, 0));
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    const started = Date.now();
    const names = Object.keys(systems);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [ci, c] of CONCURRENCY.entries()) {
        const k = (round + ci) % names.length;
        for (const name of [...names.slice(k), ...names.slice(0, k)]) {
          const r = await measure(systems[name], c, SECONDS, round);
          count(r);
          runs.push(r);
          process.stdout.write(`round ${round} ${name} c=${c}: ${r.perSecond}/s p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms, errors ${JSON.stringify(r.errors)}\n`);
          await new Promise((res) => setTimeout(res, PAUSE_MS));
        }
      }
    }
    const measuredSeconds = r1((Date.now() - started) / 1000);

    let check: IssuanceCheck | undefined;
    if (systems.signet) {
      const auditor = stack.token('bench-auditor', ['auditor']);
      check = await checkIssuance({
        db: stack.db,
        nc: stack.nc,
        ca: stack.ca,
        answered: signetAnswered,
        inFlightAtStop: signetInFlight,
        preloaded: PRELOAD,
        auditVerify: async () => {
          // `signet audit verify`, as an operator runs it.
          const r = await signetCli(stack, ['audit', 'verify', '--json'], auditor.token);
          if (r.json === undefined) throw new Error(`signet audit verify exited ${r.code}: ${r.stdout}${r.stderr}`);
          return r.json as { ok: boolean; checked: number; brokenAt: unknown };
        },
      });
    }
    // What cfssl with its DB stored (its own count; not checked like Signet's).
    const cfsslStored = Object.fromEntries(cfssls.filter(({ c }) => c.stored() !== undefined).map(({ name, c }) => [name, c.stored()]));

    const date = new Date().toISOString();
    const result = {
      benchmark: 'issuance over HTTP, closed loop (wrk, rotating distinct P-256 CSRs, keep-alive): Signet (all five services from dist/) vs cfssl serve without and with its sqlite certdb',
      smoke: SMOKE,
      date,
      machine: machine(),
      settings: { preloadedCertificates: PRELOAD, rounds: ROUNDS, secondsPerPoint: SECONDS, warmupSeconds: WARMUP_S, concurrency: CONCURRENCY, systems: SYSTEMS, distinctCsrs: CSRS, exitServiceNice: EXIT_NICE, signetTemplate: 'WebServer (bench policy file: issues at once)' },
      summary: summarize(runs),
      otherCpuSeconds: r2(runs.reduce((a, r) => a + r.otherCpuSeconds, 0)),
      measuredSeconds,
      check,
      cfsslStored,
      runs,
    };
    const file = join(ROOT, 'bench', 'results', `issue-${SMOKE ? 'smoke-' : ''}${PRELOAD ? `preload-${PRELOAD}-` : ''}${date.slice(0, 10)}.json`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const summary = markdown(result);
    process.stdout.write(`\n${SMOKE ? '(smoke run: not a measurement)\n' : ''}${summary}\n\nwrote ${file}\n`);
    if (DOCS) {
      const path = join(ROOT, 'docs', 'benchmarks.md');
      const doc = readFileSync(path, 'utf8');
      const marker = PRELOAD ? 'issue-bench-preload' : 'issue-bench';
      const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(\\n<!-- ${marker}:end -->)`);
      if (!re.test(doc)) throw new Error(`docs/benchmarks.md has no <!-- ${marker}:start --> … <!-- ${marker}:end --> markers`);
      writeFileSync(path, doc.replace(re, `$1${summary}$2`));
    }
    if (check) expect(check.problems).toEqual([]);
  } finally {
    await Promise.all(cfssls.map(({ c }) => c.stop()));
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
