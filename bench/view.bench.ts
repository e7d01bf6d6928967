import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BusClient } from '@signet/bus';
import { Commands, ErrorCode, isSignetError, ViewRequestSchema, type ViewRequest } from '@signet/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { countQuery, pageQuery } from '../apps/ca-core/src/testing-api';
import { BenchAdmin } from './admin-signer';
import { BENCH_CA, benchDatabaseUrl } from './seed-view';

/**
 * Admin view (ICertView) latency on the seeded database (bench/seed-view.ts):
 * starts ca-core from dist/ against it and asks `ca.<ca>.admin.view`
 * through the real bus with BusClient, one request at a time, for several
 * realistic queries, each without and with the total count. Reports
 * p50/p95/max per query, checks every count against an independent SQL
 * count, and writes bench/results/view.json.
 *
 *   node dist/bench/bench/view.bench.js [--runs 50] [--warmup 5] [--docs] [--explain] [--external]
 *
 *   --docs      also rewrite the "Admin view" results in docs/benchmarks.md
 *   --explain   print EXPLAIN ANALYZE of each query's SQL (diagnosis; no timing)
 *   --external  measure a ca-core for CA "bench-view" that is already running
 */

const ROOT = join(__dirname, '..', '..', '..');
const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Not a secret: it only protects the throw-away key of the benchmark CA. */
const BENCH_PASSPHRASE = 'bench-view-not-a-secret';
const actor = { name: 'bench', roles: ['viewer' as const] };
/** Signs each view as admin-api would (ADR 0028); `--external` needs SIGNET_ADMIN_ASSERTION_KEY(_FILE). */
const admin = new BenchAdmin();

type Query = Omit<ViewRequest, 'count'>;
interface Scenario {
  name: string;
  query: Query;
  /** An independent count of the rows the query selects (written by hand, not by the view code). */
  expected: { sql: string; params: unknown[] };
  /** Follow the cursor this many pages before measuring (deep paging). */
  skipPages?: number;
}

function scenarios(now: Date): Scenario[] {
  const iso = (d: Date) => d.toISOString();
  const in30 = new Date(now.getTime() + 30 * 86_400_000);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1));
  const monthEnd = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth() + 1, 1));
  const ca = BENCH_CA;
  return [
    {
      name: 'issued, newest first',
      query: { preset: 'issued', sort: { column: 'RequestID', direction: 'desc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND disposition = 'issued'`, params: [ca] },
    },
    {
      name: 'issued, expiring in the next 30 days, soonest first',
      query: {
        preset: 'issued',
        filters: [
          { column: 'NotAfter', op: 'ge', value: iso(now) },
          { column: 'NotAfter', op: 'lt', value: iso(in30) },
        ],
        sort: { column: 'NotAfter', direction: 'asc' },
        limit: 100,
      },
      expected: {
        sql: `SELECT count(*) FROM certificate c JOIN request r ON r.id = c.request_id
              WHERE c.ca_name = $1 AND r.disposition = 'issued' AND c.not_after >= $2 AND c.not_after < $3`,
        params: [ca, now, in30],
      },
    },
    {
      name: 'one requester, newest first',
      query: { filters: [{ column: 'RequesterName', op: 'eq', value: 'CORP\\user0042' }], sort: { column: 'SubmittedWhen', direction: 'desc' }, limit: 50 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND requester_name = 'CORP\\user0042'`, params: [ca] },
    },
    {
      name: 'subject prefix, by subject',
      query: { filters: [{ column: 'Subject', op: 'prefix', value: 'CN=host-00420' }], sort: { column: 'Subject', direction: 'asc' }, limit: 50 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND left(subject, 13) = 'CN=host-00420'`, params: [ca] },
    },
    {
      name: 'serial prefix, by serial',
      query: { filters: [{ column: 'SerialNumber', op: 'prefix', value: '3a7' }], sort: { column: 'SerialNumber', direction: 'asc' }, limit: 20 },
      expected: { sql: `SELECT count(*) FROM certificate WHERE ca_name = $1 AND left(serial, 3) = '3a7'`, params: [ca] },
    },
    {
      name: 'revoked, latest revocation first',
      query: { preset: 'revoked', sort: { column: 'RevokedWhen', direction: 'desc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND disposition = 'revoked'`, params: [ca] },
    },
    {
      name: 'revoked for keyCompromise, latest first',
      query: { preset: 'revoked', filters: [{ column: 'RevokedReason', op: 'eq', value: 1 }], sort: { column: 'RevokedWhen', direction: 'desc' }, limit: 100 },
      expected: {
        sql: `SELECT count(*) FROM certificate c JOIN request r ON r.id = c.request_id WHERE c.ca_name = $1 AND r.disposition = 'revoked' AND c.revoked_reason = 1`,
        params: [ca],
      },
    },
    {
      name: 'queue (pending), oldest first',
      query: { preset: 'queue', sort: { column: 'SubmittedWhen', direction: 'asc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND disposition IN ('pending', 'in_process')`, params: [ca] },
    },
    {
      name: 'failed and denied, requester prefix, newest first',
      query: { preset: 'failed', filters: [{ column: 'RequesterName', op: 'prefix', value: 'CORP\\user01' }], sort: { column: 'RequestID', direction: 'desc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND disposition IN ('failed', 'denied') AND requester_name LIKE 'CORP\\\\user01%'`, params: [ca] },
    },
    {
      name: 'one template in one month, newest first',
      query: {
        filters: [
          { column: 'CertificateTemplate', op: 'eq', value: 'User' },
          { column: 'SubmittedWhen', op: 'ge', value: iso(monthStart) },
          { column: 'SubmittedWhen', op: 'lt', value: iso(monthEnd) },
        ],
        sort: { column: 'SubmittedWhen', direction: 'desc' },
        limit: 100,
      },
      expected: {
        sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND template = 'User' AND submitted_at >= $2 AND submitted_at < $3`,
        params: [ca, monthStart, monthEnd],
      },
    },
    {
      name: 'imported certificates, newest first',
      query: { filters: [{ column: 'RequestType', op: 'eq', value: 'imported' }], sort: { column: 'RequestID', direction: 'desc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1 AND request_type = 'imported'`, params: [ca] },
    },
    {
      name: 'all rows by NotAfter, page 21 (cursor)',
      query: { sort: { column: 'NotAfter', direction: 'desc' }, limit: 100 },
      expected: { sql: `SELECT count(*) FROM request WHERE ca_name = $1`, params: [ca] },
      skipPages: 20,
    },
  ];
}

interface Stats {
  p50: number;
  p95: number;
  max: number;
}

function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)];
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(rank(0.5)), p95: r(rank(0.95)), max: r(s[s.length - 1]) };
}

function option(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : Number(process.argv[i + 1]);
}
const flag = (name: string) => process.argv.includes(`--${name}`);

async function machine(pg: Client): Promise<Record<string, unknown>> {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  const setting = async (n: string) => (await pg.query(`SELECT current_setting($1) AS v`, [n])).rows[0].v as string;
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu,
    postgres: await setting('server_version'),
    postgresSettings: { shared_buffers: await setting('shared_buffers'), work_mem: await setting('work_mem'), max_parallel_workers_per_gather: await setting('max_parallel_workers_per_gather') },
    node: process.version,
    /** 1-minute load average when the run ended: other work on the machine shows up in the numbers. */
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
  };
}

async function startCaCore(): Promise<{ child: ChildProcess; log: () => string }> {
  let out = '';
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'ca-core', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      SIGNET_CA_NAME: BENCH_CA,
      SIGNET_DATABASE_URL: benchDatabaseUrl(),
      SIGNET_NATS_URL: NATS_URL,
      SIGNET_CA_KEY_PASSPHRASE: BENCH_PASSPHRASE,
      SIGNET_CA_SUBJECT: 'O=Signet Bench,CN=Signet View Bench CA',
      ...admin.caCoreEnv(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, log: () => out };
}

async function waitReady(client: BusClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.call(client, Commands.adminView, BENCH_CA, actor, { limit: 1 }, { timeoutMs: 2_000 });
      return;
    } catch (e) {
      if (!(isSignetError(e) && e.code === ErrorCode.CaUnavailable) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function explain(pg: Client, list: Scenario[]): Promise<void> {
  for (const s of list) {
    const q = ViewRequestSchema.parse({ ...s.query, count: true });
    for (const [what, b] of [
      ['page', pageQuery(q, BENCH_CA, 'a', null, q.limit + 1)],
      ['count', countQuery(q, BENCH_CA)],
    ] as const) {
      const { rows } = await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${b.sql}`, b.params);
      process.stdout.write(`\n=== ${s.name} (${what})\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    }
  }
}

function markdown(result: { machine: Record<string, unknown>; dataset: Record<string, number>; scenarios: Array<Record<string, any>>; runs: number; at: string }): string {
  const m = result.machine as Record<string, any>;
  const lines = [
    `Measured ${result.at.slice(0, 10)} on ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB RAM, PostgreSQL ${m.postgres} (shared_buffers ${m.postgresSettings.shared_buffers}, work_mem ${m.postgresSettings.work_mem}), Node ${m.node}; load average ${m.loadAverage1m} at the end of the run.`,
    `Dataset: ${result.dataset.certificates.toLocaleString('en')} certificates, ${result.dataset.requests.toLocaleString('en')} requests. ${result.runs} sequential requests per query after warm-up; milliseconds, client-side (BusClient → NATS → ca-core → PostgreSQL → back).`,
    '',
    '| query | rows | p50 | p95 | max | with count: p50 | p95 | max | total | count correct |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...result.scenarios.map(
      (s) =>
        `| ${s.name} | ${s.rows} | ${s.withoutCount.p50} | ${s.withoutCount.p95} | ${s.withoutCount.max} | ${s.withCount.p50} | ${s.withCount.p95} | ${s.withCount.max} | ${s.total.toLocaleString('en')} | ${s.countCorrect ? 'yes' : '**no**'} |`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const runs = option('runs', 50);
  const warmup = option('warmup', 5);
  const pg = new Client({ connectionString: benchDatabaseUrl() });
  await pg.connect().catch((e) => {
    throw new Error(`cannot open the benchmark database (run bench/seed-view first): ${(e as Error).message}`);
  });
  const now = new Date();
  const list = scenarios(now);
  try {
    if (flag('explain')) return await explain(pg, list);

    const nc: NatsConnection = await connect({ servers: NATS_URL, name: 'signet-view-bench' });
    const client = new BusClient(nc, 30_000);
    let ca: { child: ChildProcess; log: () => string } | undefined;
    try {
      if (!flag('external')) {
        const already = await admin.call(client, Commands.adminView, BENCH_CA, actor, { limit: 1 }, { timeoutMs: 1_000 }).then(() => true, () => false);
        if (already) throw new Error(`a ca-core for CA "${BENCH_CA}" already answers on the bus; stop it, or pass --external to measure it`);
        ca = await startCaCore();
        await waitReady(client, 60_000).catch((e) => {
          throw new Error(`ca-core did not become ready: ${(e as Error).message}\n${ca!.log()}`);
        });
      }
      const dataset = (await pg.query(`SELECT (SELECT count(*) FROM certificate WHERE ca_name = $1)::int AS certificates, (SELECT count(*) FROM request WHERE ca_name = $1)::int AS requests`, [BENCH_CA])).rows[0];
      const results: Array<Record<string, unknown>> = [];
      for (const s of list) {
        let cursor: string | undefined;
        for (let i = 0; i < (s.skipPages ?? 0); i++) cursor = (await admin.call(client, Commands.adminView, BENCH_CA, actor, { ...s.query, cursor })).nextCursor ?? undefined;
        const measure = async (count: boolean) => {
          const ms: number[] = [];
          let last: Awaited<ReturnType<typeof client.call<typeof Commands.adminView.request, typeof Commands.adminView.reply>>> | undefined;
          for (let i = 0; i < warmup + runs; i++) {
            const t = process.hrtime.bigint();
            last = await admin.call(client, Commands.adminView, BENCH_CA, actor, { ...s.query, cursor, count });
            if (i >= warmup) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
          }
          return { stats: stats(ms), reply: last! };
        };
        const without = await measure(false);
        const withCount = await measure(true);
        const expected = Number((await pg.query(s.expected.sql, s.expected.params)).rows[0].count);
        const row = {
          name: s.name,
          query: s.query,
          rows: without.reply.rows.length,
          withoutCount: without.stats,
          withCount: withCount.stats,
          total: withCount.reply.total,
          expectedTotal: expected,
          countCorrect: withCount.reply.total === expected,
          under200ms: without.stats.p95 < 200 && withCount.stats.p95 < 200,
        };
        results.push(row);
        process.stderr.write(`${s.name}: p50 ${row.withoutCount.p50} / p95 ${row.withoutCount.p95} ms; with count p50 ${row.withCount.p50} / p95 ${row.withCount.p95} ms; total ${row.total} (${row.countCorrect ? 'correct' : `WRONG, expected ${expected}`})\n`);
      }
      const result = { at: now.toISOString(), machine: await machine(pg), dataset, runs, warmup, scenarios: results };
      mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
      writeFileSync(join(ROOT, 'bench', 'results', 'view.json'), `${JSON.stringify(result, null, 2)}\n`);
      const table = markdown(result as never);
      process.stdout.write(`${table}\n`);
      if (flag('docs')) {
        const path = join(ROOT, 'docs', 'benchmarks.md');
        const doc = readFileSync(path, 'utf8');
        const re = /(<!-- view-bench:start -->\n)[\s\S]*?(\n<!-- view-bench:end -->)/;
        if (!re.test(doc)) throw new Error('docs/benchmarks.md has no <!-- view-bench:start --> … <!-- view-bench:end --> markers');
        writeFileSync(path, doc.replace(re, `$1${table}$2`));
      }
      const bad = results.filter((r) => !r.countCorrect || !r.under200ms);
      if (bad.length) {
        process.stderr.write(`NOT MET for: ${bad.map((r) => r.name).join('; ')}\n`);
        process.exitCode = 1;
      }
    } finally {
      if (ca) {
        ca.child.kill('SIGTERM');
        await new Promise((r) => ca!.child.once('exit', r));
      }
      await nc.close();
    }
  } finally {
    await pg.end();
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`view bench failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
