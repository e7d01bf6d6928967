/*
 * Benchmark (not part of the test suite): ca-core's submit path on the bus,
 * issue 15's storage half. ca-core runs in this process as its integration
 * tests start it (real NATS, a fresh PostgreSQL database, a policy double
 * that issues at once), and BENCH_CONCURRENCY closed-loop submitters send
 * distinct P-256 CSRs on `ca.<ca>.request.submit.bus.<user>` until
 * BENCH_TOTAL certificates per point are issued.
 *
 * Reported per concurrency: certificates per second, p50/p99 latency, and
 * what each certificate cost the database: SQL statements ca-core sent
 * (every query through the pg driver in this process, BEGIN and COMMIT
 * included; the outbox relay's too) and commits (pg_stat_database
 * xact_commit of the bench's own database, so other users of the server do
 * not count). Both are counted from the first submit until every event of
 * the point is published.
 *
 * Run (NATS and PostgreSQL running as for the e2e tests):
 *   npm run bench:ca-core-submit
 * Knobs: BENCH_TOTAL (2000), BENCH_CONCURRENCY (1,8,64), BENCH_LABEL (a
 * name for the results file), and any SIGNET_* variable ca-core reads
 * (e.g. SIGNET_BATCH_MAX, SIGNET_BATCH_WINDOW_MS) is passed to it;
 * SIGNET_OUTBOX_POLL_MS is ca-core's default 250 unless set.
 * Writes bench/results/ca-core-submit-<label>-<date>.json.
 */
import { Commands } from '@signet/contracts';
import { Client } from 'pg';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsr, encodeKeyUsage, encodeSubjectAltName, OID, toPem } from '@signet/x509';
import { issuing, startCaCore, type CaCoreHarness } from '../apps/ca-core/src/testing-api';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 2000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,64').split(',').map(Number);
const LABEL = process.env.BENCH_LABEL ?? 'run';

// Every statement ca-core sends goes through pg's Client.query: counted here, in this process.
let statements = 0;
const query = Client.prototype.query;
(Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: Client, ...a: unknown[]) {
  statements++;
  return (query as (...b: unknown[]) => unknown).apply(this, a);
};

interface Point {
  concurrency: number;
  certificates: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statementsPerCert: number;
  commitsPerCert: number;
}

async function makeCsrs(n: number, from: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `host-${from + i}.bench.test`;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    out.push(toPem(await createCsr({ subject: [{ type: 'CN', value: name }], sans: [{ type: 'dns', value: name }], privateKey }), 'CERTIFICATE REQUEST'));
  }
  return out;
}

async function commits(h: CaCoreHarness): Promise<number> {
  // pg_stat_database is flushed by each backend when it goes idle; clear this backend's snapshot first.
  await h.ds.query(`SELECT pg_stat_clear_snapshot()`);
  const [r] = await h.ds.query(`SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(r.n);
}

async function settled(h: CaCoreHarness): Promise<void> {
  for (;;) {
    const [r] = await h.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    if (r.n === 0) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  // Backends report their counters within a second of going idle.
  await new Promise((res) => setTimeout(res, 1_500));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe('bench: ca-core submit path', () => {
  let h: CaCoreHarness;
  const points: Point[] = [];

  beforeAll(async () => {
    // ca-core's own outbox poll (the test harness polls every 50 ms, whose idle transactions would count as commits); any SIGNET_* set for the run wins.
    const env = { SIGNET_OUTBOX_POLL_MS: '250', ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SIGNET_'))) };
    h = await startCaCore('bench', env);
    h.setPolicy(
      issuing([
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
        { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'bench.test' }]) },
      ]),
    );
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('submits, issues and stores', async () => {
    let next = 0;
    for (const concurrency of CONCURRENCY) {
      const pems = await makeCsrs(TOTAL, next);
      next += TOTAL;
      await settled(h);
      const c0 = await commits(h);
      const s0 = statements;
      const latencies: number[] = [];
      let i = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (;;) {
            const k = i++;
            if (k >= pems.length) return;
            const t = process.hrtime.bigint();
            const r = await h.submitOnBus('bench', { request: pems[k], attributes: 'CertificateTemplate:WebServer', idempotencyKey: `k-${concurrency}-${k}` });
            latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
            if (r.disposition !== 'issued') throw new Error(`request ${r.requestId}: ${r.disposition} ${r.message}`);
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      await settled(h);
      const c1 = await commits(h);
      const s1 = statements;
      latencies.sort((a, b) => a - b);
      const point: Point = {
        concurrency,
        certificates: pems.length,
        seconds: Math.round(seconds * 100) / 100,
        perSecond: Math.round(pems.length / seconds),
        p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
        p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
        // The settle loop's own statements (a few per point) are not ca-core's: taken out.
        statementsPerCert: Math.round(((s1 - s0) / pems.length) * 100) / 100,
        commitsPerCert: Math.round(((c1 - c0) / pems.length) * 100) / 100,
      };
      points.push(point);
      process.stdout.write(`ca-core-submit ${LABEL} ${JSON.stringify(point)}\n`);
    }
    const verified = await h.client.call(Commands.adminAuditVerify, h.ca, { actor: { name: 'audrey', roles: ['auditor'] } });
    process.stdout.write(`ca-core-submit ${LABEL} audit verify ${JSON.stringify(verified)}\n`);
    expect(verified.ok).toBe(true);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `ca-core-submit-${LABEL}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`), JSON.stringify({ label: LABEL, points, verified }, null, 2) + '\n');
  }, 3_600_000);
});
