/*
 * Benchmark (not part of the test suite): ACME orders per second from
 * finalize to valid, issue 13 acceptance 6, beside the JSON API's issuance
 * rate in the same run against the same stack.
 *
 * All five services from dist/ (the e2e Stack, debug logging off), ACME on
 * over the intermediary's plain HTTP listener with its database in the
 * stack's, the bench's policy file (WebServer issuing at once, as
 * bench:issue), rate limits off. Before each round, outside the measured
 * time: BENCH_ACCOUNTS accounts (jose, the in-repo AcmeTestClient) each get
 * BENCH_ORDERS orders of one name, validated for real through http-01 (the
 * intermediary's validator asks pebble-challtestsrv for the name and fetches
 * the key authorization from this process), so every order is `ready`.
 *
 * Measured, one worker per account, all at once: finalize with a fresh
 * P-256 CSR, then POST-as-GET the order until `valid` (an order that waits
 * for the CA answers `processing`). Beside it, with as many workers in
 * flight, the JSON API: POST /api/v1/requests (WebServer) → issued. The two
 * alternate in each round, their order swapped from round to round.
 * Reported: per second, p50/p99 latency (medians over the rounds), ACME ÷
 * JSON.
 *
 * Run (NATS and PostgreSQL running as for the e2e tests; pebble installed):
 *   npm run bench:acme
 * Knobs: BENCH_ACCOUNTS (32), BENCH_ORDERS (per account and round, 16),
 * BENCH_ROUNDS (3), BENCH_SMOKE=1 (4 accounts × 2 orders × 1 round, a trial
 * of the harness: results to bench/results/acme-smoke-<date>.json,
 * docs/benchmarks.md left alone), BENCH_DOCS=0.
 * Writes bench/results/acme-<date>.json and, unless a smoke run, the summary
 * between the acme-bench markers of docs/benchmarks.md.
 */
import { startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcmeTestClient, csrFor, readyOrder } from '../apps/intermediary/src/testing-api';
import { freePort, ROOT } from '../e2e/support/processes';
import { Stack } from '../e2e/support/stack';
import { benchPolicyFile, distinctCsrs, machine } from './issue-support';

const SMOKE = process.env.BENCH_SMOKE === '1';
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? (SMOKE ? 4 : 32));
const ORDERS = Number(process.env.BENCH_ORDERS ?? (SMOKE ? 2 : 16));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (SMOKE ? 1 : 3));
const DOCS = !SMOKE && process.env.BENCH_DOCS !== '0';
const DOMAIN = 'acme-bench.example.com';
const POLL_MS = 50;

type Path = 'acme' | 'json';

interface Run {
  round: number;
  path: Path;
  inFlight: number;
  done: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

/** The http-01 answers the validator fetches: token → key authorization. */
function http01Responder(port: number, answers: Map<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
    const answer = token && answers.get(token);
    if (answer) res.writeHead(200, { 'Content-Type': 'text/plain' }).end(answer);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** One ready order: its finalize URL, its own URL, and the CSR (base64url DER) that finalizes it. */
interface ReadyOrder {
  url: string;
  finalize: string;
  csr: string;
}

/** `ORDERS` orders of one name each for this account, validated through http-01, all `ready` (not measured). */
async function readyOrders(c: AcmeTestClient, account: number, round: number, answers: Map<string, string>): Promise<ReadyOrder[]> {
  const thumbprint = await c.thumbprint();
  const out: ReadyOrder[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const identifiers = [{ type: 'dns' as const, value: `r${round}-a${account}-o${i}.${DOMAIN}` }];
    const { url, order } = await readyOrder(c, identifiers, 'http-01', {}, (ch) => answers.set(ch.token, `${ch.token}.${thumbprint}`));
    out.push({ url, finalize: order.finalize, csr: await csrFor(identifiers) });
  }
  return out;
}

/** Every worker runs its jobs one after the other, all workers at once; the latency of each job and the wall time. */
async function drive<T>(work: T[][], job: (w: number, item: T) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(
    work.map(async (items, w) => {
      for (const item of items) {
        const t = process.hrtime.bigint();
        await job(w, item);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  return { latencies, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function runOf(round: number, path: Path, inFlight: number, r: { latencies: number[]; seconds: number }): Run {
  return {
    round,
    path,
    inFlight,
    done: r.latencies.length,
    seconds: r2(r.seconds),
    perSecond: r1(r.latencies.length / r.seconds),
    latencyMs: { p50: r2(quantile(r.latencies, 0.5)), p99: r2(quantile(r.latencies, 0.99)), max: r2(Math.max(...r.latencies)) },
  };
}

function summarize(runs: Run[]) {
  const of = (p: Path) => {
    const rs = runs.filter((r) => r.path === p);
    return { perSecond: r1(median(rs.map((r) => r.perSecond))), p50Ms: r2(median(rs.map((r) => r.latencyMs.p50))), p99Ms: r2(median(rs.map((r) => r.latencyMs.p99))) };
  };
  const acme = of('acme');
  const json = of('json');
  return { acme, json, acmeOverJson: Number((acme.perSecond / json.perSecond).toPrecision(2)) };
}

function markdown(r: { date: string; machine: Record<string, string | number>; summary: ReturnType<typeof summarize> }): string {
  const m = r.machine;
  const s = r.summary;
  return [
    `${SMOKE ? '**Smoke run — a trial of the harness, not a measurement.** ' : ''}Measured ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.nats}, PostgreSQL ${m.postgres}; load average ${m.loadavg} at the start. ` +
      `${ACCOUNTS} accounts, each finalizing ${ORDERS} orders per round one after the other, ${ROUNDS} rounds; the JSON API with ${ACCOUNTS} requests in flight.`,
    '',
    '| path | per second | p50 | p99 |',
    '|---|---:|---:|---:|',
    `| ACME: finalize → valid | ${s.acme.perSecond} | ${s.acme.p50Ms} ms | ${s.acme.p99Ms} ms |`,
    `| JSON API: submit → issued | ${s.json.perSecond} | ${s.json.p50Ms} ms | ${s.json.p99Ms} ms |`,
    '',
    `ACME ÷ JSON API: ${s.acmeOverJson}.`,
  ].join('\n');
}

jest.setTimeout(3 * 3_600_000);

it(`bench:acme — ACME finalize → valid with ${ACCOUNTS} accounts at once, beside the JSON API`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-acme-'));
  const stack = new Stack();
  let dns: ChallTestSrv | undefined;
  let responder: Server | undefined;
  try {
    dns = await startChallTestSrv();
    const httpPort = await freePort();
    const answers = new Map<string, string>();
    responder = await http01Responder(httpPort, answers);
    await stack.start({
      SIGNET_LOG_LEVEL: 'warn',
      SIGNET_POLICY_FILE: benchPolicyFile(join(dir, 'policy.yaml'), DOMAIN),
      SIGNET_ACME_DATABASE_URL: stack.databaseUrl,
      SIGNET_ACME_HTTP01_PORT: String(httpPort),
      SIGNET_ACME_DNS_RESOLVERS: dns.dns,
      SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES: 'true',
      ...Object.fromEntries(['ORDERS_PER_ACCOUNT', 'ORDERS_PER_IP', 'PENDING_AUTHZS_PER_ACCOUNT', 'PENDING_AUTHZS_PER_IP'].map((l) => [`SIGNET_ACME_LIMIT_${l}`, '0'])),
    });
    const directory = `${stack.baseUrl}/acme/directory`;
    const clients = await Promise.all(Array.from({ length: ACCOUNTS }, () => AcmeTestClient.create(directory)));
    for (const c of clients) if ((await c.newAccount()).status !== 201) throw new Error('newAccount failed');

    const acmeRound = async (round: number): Promise<Run> => {
      const orders = await Promise.all(clients.map((c, a) => readyOrders(c, a, round, answers)));
      answers.clear();
      const r = await drive(orders, async (w, o) => {
        const c = clients[w];
        let status = (await c.post(o.finalize, { csr: o.csr })).body.status;
        while (status === 'processing') {
          await new Promise((res) => setTimeout(res, POLL_MS));
          status = (await c.post(o.url, undefined)).body.status;
        }
        if (status !== 'valid') throw new Error(`order ${o.url} ended ${status}`);
      });
      return runOf(round, 'acme', ACCOUNTS, r);
    };
    const jsonRound = async (round: number): Promise<Run> => {
      const csrs = await distinctCsrs(ACCOUNTS * ORDERS, `r${round}.${DOMAIN}`);
      const work = clients.map((_c, w) => csrs.slice(w * ORDERS, (w + 1) * ORDERS));
      const r = await drive(work, async (_w, csr) => {
        const res = await stack.submit({ csr, attributes: { CertificateTemplate: 'WebServer' }, ca: stack.ca });
        if (res.status !== 201 || res.body.disposition !== 'issued') throw new Error(`submit: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      });
      return runOf(round, 'json', ACCOUNTS, r);
    };

    const runs: Run[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const path of round % 2 ? (['acme', 'json'] as const) : (['json', 'acme'] as const)) {
        const r = path === 'acme' ? await acmeRound(round) : await jsonRound(round);
        runs.push(r);
        process.stdout.write(`round ${round} ${path}: ${r.done} in ${r.seconds} s, ${r.perSecond}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms\n`);
      }
    }

    const date = new Date().toISOString();
    const result = {
      benchmark: 'ACME orders per second from finalize to valid (jose clients, one per account, all at once) beside the JSON API issuance rate, same stack, same run',
      smoke: SMOKE,
      date,
      machine: machine(),
      settings: { accounts: ACCOUNTS, ordersPerAccountPerRound: ORDERS, rounds: ROUNDS, template: 'WebServer (bench policy file: issues at once)' },
      summary: summarize(runs),
      runs,
    };
    const file = join(ROOT, 'bench', 'results', `acme-${SMOKE ? 'smoke-' : ''}${date.slice(0, 10)}.json`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const summary = markdown(result);
    process.stdout.write(`\n${summary}\n\nwrote ${file}\n`);
    if (DOCS) {
      const path = join(ROOT, 'docs', 'benchmarks.md');
      const doc = readFileSync(path, 'utf8');
      const re = /(<!-- acme-bench:start -->\n)[\s\S]*?(\n<!-- acme-bench:end -->)/;
      if (!re.test(doc)) throw new Error('docs/benchmarks.md has no <!-- acme-bench:start --> … <!-- acme-bench:end --> markers');
      writeFileSync(path, doc.replace(re, `$1${summary}$2`));
    }
    expect(runs.every((r) => r.done === ACCOUNTS * ORDERS)).toBe(true);
  } finally {
    await stack.close();
    await new Promise((r) => (responder ? responder.close(r) : r(undefined)));
    await dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
