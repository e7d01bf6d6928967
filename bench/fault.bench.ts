import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { signetCli } from '../e2e/support/cli';
import { ROOT, waitFor } from '../e2e/support/processes';
import { Stack } from '../e2e/support/stack';
import { checkIssuance } from './issuance-check';
import { benchPolicyFile, distinctCsrs, machine } from './issue-support';

/*
 * Issue 15, acceptance 4 (`npm run bench:fault`, which runs bench/fault.sh:
 * it starts a private nats-server and a private PostgreSQL cluster and points
 * this file at them). BENCH_FAULT_REQUESTS (≥ 3,000) requests over HTTP,
 * BENCH_FAULT_CONCURRENCY (8) in flight, each client retrying with its
 * idempotency key until it has an answer, while, as the answers come in:
 * ca-core is killed with SIGKILL (twice), exit-service is killed with
 * SIGKILL, NATS is stopped and started again, PostgreSQL is restarted fast
 * and stopped immediately (a crash) and started again. Then, once the CA
 * settled: submitted / answered / stranded / duplicated / events missing /
 * exit-module files missing / audit, printed and written to
 * bench/results/fault-<date>.json. It fails unless every request was
 * answered, none is stranded in process, no certificate is duplicated
 * (one per idempotency key, no serial twice), no event and no file is
 * missing, and the audit chain verifies.
 */

const N = Number(process.env.BENCH_FAULT_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_FAULT_CONCURRENCY ?? 8);
/** A client gives up on a request after this long (it is then counted unanswered: the run fails). */
const CLIENT_DEADLINE_MS = Number(process.env.BENCH_FAULT_CLIENT_DEADLINE_S ?? 300) * 1000;
const NATS_BIN = process.env.BENCH_FAULT_NATS_BIN;
const NATS_STORE = process.env.BENCH_FAULT_NATS_STORE;
const NATS_PORT = Number(new URL(process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222').port);
/** `pg_ctl -D … -l … -w` as the cluster's owner runs it (bench/fault.sh), to which restart/stop/start is appended. */
const PG_CTL = process.env.BENCH_FAULT_PG_CTL;
const PG_OPTIONS = process.env.BENCH_FAULT_PG_OPTIONS ?? '';
const DOMAIN = 'fault.bench.test';
const WEB_SERVER = { CertificateTemplate: 'WebServer' };

type Outcome = { status: number; disposition?: string; requestId?: number; serial?: string; attempts: number; ms: number; last?: string };

/** The private nats-server, restartable on the same port and store (its JetStream state survives, as a restarted server's does). */
class PrivateNats {
  private child?: ChildProcess;
  start(): void {
    this.child = spawn(NATS_BIN!, ['-js', '-sd', NATS_STORE!, '-a', '127.0.0.1', '-p', String(NATS_PORT)], { stdio: 'ignore' });
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  }
  async ready(): Promise<void> {
    await waitFor('nats-server', () => portOpen(NATS_PORT), 30_000, 100);
  }
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function pgCtl(...args: string[]): void {
  execFileSync('bash', ['-c', `${PG_CTL} ${args.join(' ')}`], { stdio: 'ignore', timeout: 120_000 });
}

/** One client: submits with its key until the answer is final (issued, denied, failed), as a careful integration would. */
async function client(stack: Stack, csr: string, key: string): Promise<Outcome> {
  const started = Date.now();
  let attempts = 0;
  let last = 0;
  let lastBody = '';
  while (Date.now() - started < CLIENT_DEADLINE_MS) {
    attempts++;
    const r = await stack.submit({ csr, attributes: WEB_SERVER }, { 'idempotency-key': key }).catch(() => ({ status: 0, body: undefined, headers: new Headers() }));
    last = r.status;
    lastBody = JSON.stringify(r.body ?? null).slice(0, 300);
    const d = r.body?.disposition as string | undefined;
    // Final: issued (201), pending for an officer (202 pending), or refused (4xx but busy).
    const final = r.status === 201 || (r.status === 202 && d === 'pending') || (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429);
    if (final) {
      return { status: r.status, disposition: d, requestId: r.body?.requestId, serial: r.body?.serial, attempts, ms: Date.now() - started };
    }
    // In process (202 in_process), busy (409, 429), the CA, the policy module or the bus away (5xx), the intermediary away (0): wait and retry.
    const after = Number(r.headers.get('retry-after'));
    await new Promise((res) => setTimeout(res, Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 2000) : 250 + Math.random() * 250));
  }
  return { status: last, attempts, ms: Date.now() - started, last: lastBody };
}

jest.setTimeout(3 * 3_600_000);

it(`bench:fault — ${N} requests, ${CONCURRENCY} in flight, through ca-core and exit-service kills, a NATS restart and PostgreSQL restarts`, async () => {
  if (!NATS_BIN || !NATS_STORE || !PG_CTL) throw new Error('run this through `npm run bench:fault` (bench/fault.sh starts the private NATS and PostgreSQL it needs)');
  if (N < 1) throw new Error('BENCH_FAULT_REQUESTS must be at least 1');
  const dir = join(tmpdir(), `signet-bench-fault-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const nats = new PrivateNats();
  nats.start();
  await nats.ready();
  const stack = new Stack();
  const log: string[] = [];
  const note = (s: string) => {
    const line = `${new Date().toISOString().slice(11, 23)} ${s}`;
    log.push(line);
    process.stdout.write(`${line}\n`);
  };
  try {
    const env = { SIGNET_LOG_LEVEL: 'warn', SIGNET_POLICY_FILE: benchPolicyFile(join(dir, 'policy.yaml'), DOMAIN) };
    await stack.start(env);
    // The stack's own connection breaks when PostgreSQL restarts; the checks below use a new one.
    stack.db.on('error', () => undefined);
    const csrs = await distinctCsrs(N, DOMAIN);
    const keys = csrs.map((_, i) => `fault-${process.pid}-${i}`);
    const outcomes: Outcome[] = new Array(N);
    let done = 0;

    // The faults, each when this share of the requests has been answered.
    const faults: Array<{ at: number; name: string; run: () => Promise<void> }> = [
      { at: 0.1, name: 'ca-core killed (SIGKILL), started again', run: async () => { process.kill(stack.service('ca-core').pid!, 'SIGKILL'); await stack.restart('ca-core', env); } },
      { at: 0.2, name: 'exit-service killed (SIGKILL), started again', run: async () => { process.kill(stack.service('exit-service').pid!, 'SIGKILL'); await stack.restart('exit-service', env); } },
      { at: 0.35, name: 'NATS stopped and started again', run: async () => { await nats.stop(); await new Promise((r) => setTimeout(r, 1000)); nats.start(); await nats.ready(); } },
      { at: 0.5, name: 'PostgreSQL restarted (fast)', run: async () => pgCtl('restart', '-m', 'fast', PG_OPTIONS) },
      { at: 0.65, name: 'PostgreSQL stopped (immediate: a crash) and started again', run: async () => { pgCtl('stop', '-m', 'immediate'); await new Promise((r) => setTimeout(r, 1000)); pgCtl('start', PG_OPTIONS); } },
      { at: 0.8, name: 'ca-core killed (SIGKILL) again, started again', run: async () => { process.kill(stack.service('ca-core').pid!, 'SIGKILL'); await stack.restart('ca-core', env); } },
    ];
    const injected: Array<{ name: string; atAnswered: number; ms: number }> = [];
    const faulting = (async () => {
      for (const f of faults) {
        await waitFor(`${Math.round(f.at * 100)} % answered`, async () => done >= Math.ceil(f.at * N), CLIENT_DEADLINE_MS * 2, 20);
        const t = Date.now();
        note(`fault at ${done}/${N} answered: ${f.name}`);
        await f.run();
        injected.push({ name: f.name, atAnswered: done, ms: Date.now() - t });
        note(`  back after ${Date.now() - t} ms`);
      }
    })();

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          outcomes[i] = await client(stack, csrs[i], keys[i]);
          done++;
          if (done % 500 === 0) note(`${done}/${N} answered`);
        }
      }),
    );
    await faulting;
    const seconds = (Date.now() - started) / 1000;

    // After the run: what the CA holds, through a new connection.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const issued = outcomes.filter((o) => o.status === 201 && o.disposition === 'issued');
      const unanswered = outcomes.filter((o) => o.disposition === undefined || o.disposition === 'in_process');
      const otherFinal = outcomes.filter((o) => o.disposition !== undefined && o.disposition !== 'issued' && o.disposition !== 'in_process');
      const auditor = stack.token('fault-auditor', ['auditor']);
      const check = await checkIssuance({
        db,
        nc: stack.nc,
        ca: stack.ca,
        answered: issued.length,
        inFlightAtStop: 0,
        settleMs: 120_000,
        auditVerify: async () => {
          const r = await signetCli(stack, ['audit', 'verify', '--json'], auditor.token);
          if (r.json === undefined) throw new Error(`signet audit verify exited ${r.code}: ${r.stdout}${r.stderr}`);
          return r.json as { ok: boolean; checked: number; brokenAt: unknown };
        },
      });
      // One certificate per idempotency key, and the one its client was told.
      const perKey = await db.query(
        `SELECT r.idempotency_key AS key, count(c.serial)::int AS n, min(c.serial) AS serial, min(r.id) AS id
           FROM request r LEFT JOIN certificate c ON c.request_id = r.id
          WHERE r.ca_name = $1 AND r.idempotency_key = ANY($2) GROUP BY r.idempotency_key`,
        [stack.ca, keys],
      );
      const byKey = new Map(perKey.rows.map((r: { key: string; n: number; serial: string; id: string }) => [r.key, r]));
      const duplicated = perKey.rows.filter((r: { n: number }) => r.n > 1).length;
      const requestsPerKey = await db.query(`SELECT count(*)::int AS n FROM request WHERE ca_name = $1 AND idempotency_key = ANY($2) GROUP BY idempotency_key HAVING count(*) > 1`, [stack.ca, keys]);
      const mismatched = outcomes.filter((o, i) => o.disposition === 'issued' && byKey.get(keys[i])?.serial !== o.serial).length;
      // Every exit-module file: the shipped file publisher writes <serial>.pem for each issued certificate.
      const published = join(stack.dir, 'published');
      const serials = (await db.query(`SELECT serial FROM certificate WHERE ca_name = $1`, [stack.ca])).rows.map((r: { serial: string }) => r.serial);
      const filesMissing = () => {
        const files = new Set(existsSync(published) ? readdirSync(published) : []);
        return serials.filter((s) => !files.has(`${s}.pem`)).length;
      };
      await waitFor('exit-service to publish every certificate', async () => filesMissing() === 0, 120_000, 500).catch(() => undefined);
      const missingFiles = filesMissing();

      // What the CA holds for a request whose client never had its answer, for the report.
      const unansweredRows = unanswered.length
        ? (
            await db.query(
              `SELECT idempotency_key, id, disposition, disposition_message, resumable, lease_until, submitted_at, resolved_at FROM request WHERE ca_name = $1 AND idempotency_key = ANY($2)`,
              [stack.ca, outcomes.flatMap((o, i) => (o.disposition === undefined || o.disposition === 'in_process' ? [keys[i]] : []))],
            )
          ).rows
        : [];
      const summary = {
        submitted: N,
        answered: N - unanswered.length,
        issued: issued.length,
        otherFinalAnswers: otherFinal.map((o) => ({ status: o.status, disposition: o.disposition, requestId: o.requestId })),
        unanswered: unanswered.length,
        unansweredDetail: outcomes.flatMap((o, i) => (o.disposition === undefined || o.disposition === 'in_process' ? [{ key: keys[i], lastStatus: o.status, lastBody: o.last, attempts: o.attempts, row: unansweredRows.find((r: { idempotency_key: string }) => r.idempotency_key === keys[i]) ?? null }] : [])),
        stranded: check.inProcess,
        duplicated: duplicated + requestsPerKey.rowCount! + check.duplicateSerials.length,
        answeredSerialNotStored: mismatched,
        eventsMissing: Math.max(0, check.certificates - check.issuedEvents),
        eventsExtra: Math.max(0, check.issuedEvents - check.certificates),
        exitFilesMissing: missingFiles,
        audit: check.audit.ok ? `verified (${check.audit.checked} entries)` : `BROKEN at ${JSON.stringify(check.audit.brokenAt)}`,
        certificates: check.certificates,
        retries: outcomes.reduce((a, o) => a + o.attempts - 1, 0),
        slowestAnswerMs: Math.max(...outcomes.map((o) => o.ms)),
        seconds: Math.round(seconds),
      };
      note(`submitted ${summary.submitted} / answered ${summary.answered} (issued ${summary.issued}, other final ${otherFinal.length}) / unanswered ${summary.unanswered} / stranded ${summary.stranded} / duplicated ${summary.duplicated} / answered but not stored ${mismatched} / events missing ${summary.eventsMissing} (extra ${summary.eventsExtra}) / exit files missing ${missingFiles} / audit ${summary.audit}`);
      for (const u of summary.unansweredDetail) note(`unanswered: ${JSON.stringify(u)}`);
      note(`${summary.retries} retries in all; the slowest answer took ${summary.slowestAnswerMs} ms; ${summary.seconds} s`);
      const results = join(ROOT, 'bench', 'results');
      mkdirSync(results, { recursive: true });
      const date = new Date().toISOString();
      writeFileSync(join(results, `fault-${date.replace(/[:.]/g, '-')}.json`), JSON.stringify({ date, machine: machine(), settings: { requests: N, concurrency: CONCURRENCY }, faults: injected, summary, check, log }, null, 2));

      expect({
        unanswered: summary.unanswered,
        otherFinalAnswers: summary.otherFinalAnswers,
        stranded: summary.stranded,
        duplicated: summary.duplicated,
        answeredSerialNotStored: mismatched,
        eventsMissing: summary.eventsMissing,
        eventsExtra: summary.eventsExtra,
        exitFilesMissing: missingFiles,
        problems: check.problems,
      }).toEqual({ unanswered: 0, otherFinalAnswers: [], stranded: 0, duplicated: 0, answeredSerialNotStored: 0, eventsMissing: 0, eventsExtra: 0, exitFilesMissing: 0, problems: [] });
      expect(injected.map((f) => f.name)).toEqual(faults.map((f) => f.name));
    } finally {
      await db.end().catch(() => undefined);
    }
  } finally {
    await stack.close().catch(() => undefined);
    await nats.stop();
  }
});
