/*
 * Benchmark (not part of the test suite): what exit-service itself costs per
 * delivery, module by module. No CA runs: this process publishes N
 * certificate.issued events (the same JSON ca-core publishes, with a real
 * certificate) on SIGNET_EVENTS for a CA of its own, and exit-service
 * delivers them to a real receiver: the file publisher to tmpfs, the webhook
 * to the example receiver, mail to aiosmtpd. Reported per case: wall time
 * until every event is delivered, and CPU milliseconds per delivery of
 * exit-service, of the receiver and of nats-server (from /proc).
 *
 * Run (builds first; NATS running as for the tests):
 *   npm run bench:exit-delivery
 * Knobs: BENCH_EVENTS (default 3000), BENCH_CASES (file,webhook,mail,all),
 * BENCH_RATE (events per second; default 0: all at once).
 * Writes bench/results/exit-delivery.json.
 */
import { type NatsConnection } from '@nats-io/transport-node';
import { connectBus, ensureEventStream, EventPublisher } from '@signet/bus';
import { EXIT_EVENT_BIT, Events, ExitEvent, Inboxes, type CaEvent } from '@signet/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from '../e2e/support/openssl';
import { ROOT, ServiceProcess, waitFor } from '../e2e/support/processes';
import { SmtpSink } from '@signet/testing';
import { cpuByRole, cpuDelta, machine, startBlackHole, startReceiver } from './exit-support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CASES = (process.env.BENCH_CASES ?? 'file,webhook,mail,all').split(',');
/** Events per second, as a CA issues them (0: all at once, in batches of 100). Trickled events cannot share wake-ups, so they cost more each. */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const WARMUP = 200;
const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
const secret = randomBytes(24).toString('hex');

/** A real certificate, so the event is as large as the CA's (the file publisher decodes it). */
function certificatePem(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-cert-'));
  try {
    const r = run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-subj', '/CN=bench.example.com', '-addext', 'subjectAltName=DNS:bench.example.com', '-days', '30', '-out', join(dir, 'c.pem')]);
    if (r.code !== 0) throw new Error(r.out);
    return run('cat', [join(dir, 'c.pem')]).out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CaseResult {
  name: string;
  events: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  cpuMsPerDelivery: Record<string, number>;
  cpuSeconds: Record<string, number>;
}

async function runCase(name: string, nc: NatsConnection, pem: string): Promise<CaseResult> {
  const ca = `bench-exit-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-exit-'));
  const published = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : dir, 'signet-bench-published-'));
  const want = (m: string) => name === m || name === 'all';
  const receiver = want('webhook') ? await startReceiver(secret) : undefined;
  const hole = name === 'all' ? await startBlackHole() : undefined;
  const smtp = want('mail') ? new SmtpSink({ keep: false, pipelining: true }) : undefined;
  await smtp?.start();
  const modules = [
    ...(want('file') ? [{ name: 'files', type: 'file', events: ['certificate.issued'], directory: published }] : []),
    ...(receiver ? [{ name: 'hook', type: 'webhook', events: ['certificate.issued'], url: receiver.url, secret: { env: 'BENCH_HOOK_SECRET' } }] : []),
    ...(hole ? [{ name: 'hanging-hook', type: 'webhook', events: ['certificate.issued'], url: hole.url, secret: { env: 'BENCH_HOOK_SECRET' } }] : []),
    ...(smtp ? [{ name: 'mail', type: 'mail', events: ['certificate.issued'], smtp: { host: '127.0.0.1', port: smtp.port }, from: 'ca@bench.test', to: ['pki@bench.test'] }] : []),
  ];
  const config = join(dir, 'exit.yaml');
  writeFileSync(config, stringify({ defaults: { concurrency: 8, timeoutMs: 5000, ...(process.env.BENCH_BATCH_WINDOW ? { batchWindowMs: Number(process.env.BENCH_BATCH_WINDOW) } : {}) }, modules }));
  const svc = new ServiceProcess('exit-service', { SIGNET_CA_NAME: ca, SIGNET_NATS_URL: NATS_URL, SIGNET_EXIT_CONFIG: config, BENCH_HOOK_SECRET: secret, SIGNET_LOG_LEVEL: 'log' });
  svc.start();
  try {
    await waitFor('exit-service to deliver', async () => svc.log().includes('is delivering') || (!svc.running && Promise.reject(new Error(svc.log()))), 30_000, 50);
    const delivered = () => (want('file') ? readdirSync(published).length / 2 : 0) + (receiver?.seen() ?? 0) + (smtp?.count() ?? 0);
    const perEvent = Number(want('file')) + Number(!!receiver) + Number(!!smtp);
    const publisher = new EventPublisher(nc);
    let n = 0;
    const event = (): CaEvent => ({ id: randomUUID(), event: ExitEvent.CertificateIssued, eventBit: EXIT_EVENT_BIT[ExitEvent.CertificateIssued], ca, occurredAt: new Date().toISOString(), requestId: ++n, disposition: 'issued', serial: randomBytes(16).toString('hex'), subject: 'CN=bench.example.com', template: 'WebServer', certificate: pem });
    const publish = (e: CaEvent) => publisher.publish(Events.subject(ca, ExitEvent.CertificateIssued), e, e.id);
    // Warm-up (code paths compiled, connections open), not measured.
    await Promise.all(Array.from({ length: WARMUP }, () => publish(event())));
    await waitFor('the warm-up deliveries', async () => delivered() >= WARMUP * perEvent, 60_000, 100);
    const expected = (WARMUP + EVENTS) * perEvent;
    const cpu0 = cpuByRole();
    const t0 = process.hrtime.bigint();
    if (RATE > 0) {
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < EVENTS; i++) {
        sent.push(publish(event()));
        const due = Number(t0) / 1e6 + ((i + 1) * 1000) / RATE;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Number(process.hrtime.bigint()) / 1e6)));
      }
      await Promise.all(sent);
    } else {
      for (let i = 0; i < EVENTS; i += 100) await Promise.all(Array.from({ length: Math.min(100, EVENTS - i) }, () => publish(event())));
    }
    await waitFor('every delivery', async () => delivered() >= expected, 300_000, 100);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuSeconds = cpuDelta(cpu0, cpuByRole());
    const deliveries = EVENTS * perEvent;
    const perDelivery: Record<string, number> = {};
    for (const role of ['exit-service', 'webhook-receiver', 'smtp-sink', 'nats-server', 'load-generator']) if (cpuSeconds[role] !== undefined) perDelivery[role] = Math.round((cpuSeconds[role] / deliveries) * 1e6) / 1e3;
    return { name, events: EVENTS, deliveries, seconds: Math.round(seconds * 1000) / 1000, deliveriesPerSecond: Math.round((deliveries / seconds) * 10) / 10, cpuMsPerDelivery: perDelivery, cpuSeconds };
  } finally {
    await svc.stop();
    receiver?.stop();
    hole?.stop();
    await smtp?.stop();
    rmSync(published, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

it('exit-service delivery cost per module', async () => {
  const nc = await connectBus({ url: NATS_URL, name: 'signet-bench-exit-delivery', inboxPrefix: Inboxes.prefix('exit-service') });
  try {
    await ensureEventStream(nc);
    const pem = certificatePem();
    const cases: CaseResult[] = [];
    for (const c of CASES) cases.push(await runCase(c, nc, pem));
    const result = { benchmark: 'exit-service CPU per delivery (events published straight to SIGNET_EVENTS, no CA)', date: new Date().toISOString(), machine: machine(), settings: { events: EVENTS, ratePerSecond: RATE || 'burst', concurrency: 8, exitNice: 0 }, cases };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'exit-delivery.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(cases.map(({ cpuSeconds: _c, ...rest }) => rest), null, 2));
    for (const c of cases) expect(c.deliveries).toBe(c.events * (c.name === 'all' ? 3 : 1));
  } finally {
    await nc.drain();
  }
}, 900_000);
