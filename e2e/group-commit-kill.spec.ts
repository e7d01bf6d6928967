import { signetCli } from './support/cli';
import { opensslCsr } from './support/openssl';
import { waitFor } from './support/processes';
import { Stack } from './support/stack';

/*
 * Issue 15, acceptance 3 (ADR 0037): ca-core killed with SIGKILL while
 * batches of requests are being written. All five services from dist/, real
 * NATS and PostgreSQL. What was answered is stored; after the restart no
 * request stays in process (the lease runs out and the sweeper parks it,
 * resumable); and every client that retries with its idempotency key gets
 * exactly one certificate.
 */

const N = 40;
const DEVELOPMENT = { CertificateTemplate: 'Development' };
const FAST = { SIGNET_REQUEST_LEASE_MS: '1000', SIGNET_STRANDED_SWEEP_MS: '200', SIGNET_IDEMPOTENT_WAIT_MS: '1000', SIGNET_BATCH_WINDOW_MS: '5' };

const stack = new Stack();

beforeAll(() => stack.start(FAST), 120_000);
afterAll(() => stack.close(), 60_000);

it('loses nothing that was answered, leaves nothing in process, and answers every retry with exactly one certificate', async () => {
  const csrs = Array.from({ length: N }, () => opensslCsr({ key: 'ec-p256', subject: '/CN=localhost', sans: ['DNS:localhost'] }));
  const keys = csrs.map((_, i) => `kill-${stack.ca}-${i}`);
  const submit = (i: number) => stack.submit({ csr: csrs[i], attributes: DEVELOPMENT }, { 'idempotency-key': keys[i] }).catch((e: Error) => ({ status: 0, body: { error: e.message }, headers: new Headers() }));

  // All at once; ca-core dies as soon as the first of them are stored, with the rest in its batches or on the bus.
  const inFlight = csrs.map((_, i) => submit(i));
  await waitFor('the first requests to be stored', async () => (await stack.db.query(`SELECT count(*)::int AS n FROM request`)).rows[0].n >= 3, 30_000, 2);
  process.kill(stack.service('ca-core').pid!, 'SIGKILL');
  const first = await Promise.all(inFlight);

  await stack.restart('ca-core', FAST);

  // Every certificate that was answered is stored, with the serial the client got.
  const answered = first.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 201);
  // The kill did interrupt work: not every request had its answer.
  expect(answered.length).toBeLessThan(N);
  for (const { r } of answered) {
    const { rows } = await stack.db.query(`SELECT serial FROM certificate WHERE request_id = $1`, [r.body.requestId]);
    expect(rows).toEqual([{ serial: r.body.serial }]);
  }
  // No request stays in process: the dead process's leases run out and the live ca-core parks them.
  await waitFor('no request in process', async () => (await stack.db.query(`SELECT count(*)::int AS n FROM request WHERE disposition = 'in_process'`)).rows[0].n === 0, 30_000);

  // Every client retries with its key until it has a certificate.
  const final = await Promise.all(
    csrs.map(async (_, i) => {
      for (let attempt = 0; attempt < 60; attempt++) {
        const r = await submit(i);
        if (r.status === 201) return r.body;
        if (![0, 409, 500, 502, 503].includes(r.status)) throw new Error(`key ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error(`key ${i}: no certificate after 60 retries`);
    }),
  );
  for (const { r, i } of answered) expect(final[i]).toMatchObject({ requestId: r.body.requestId, serial: r.body.serial });

  // Exactly one certificate per key, one request per key, one certificate.issued event per certificate.
  const perKey = await stack.db.query(
    `SELECT r.idempotency_key AS key, count(DISTINCT r.id)::int AS requests, count(c.serial)::int AS certificates
     FROM request r LEFT JOIN certificate c ON c.request_id = r.id WHERE r.idempotency_key = ANY($1) GROUP BY 1`,
    [keys],
  );
  expect(perKey.rows).toHaveLength(N);
  for (const row of perKey.rows) expect(row).toMatchObject({ requests: 1, certificates: 1 });
  const events = await stack.db.query(
    `SELECT payload->>'serial' AS serial, count(*)::int AS n FROM outbox WHERE payload->>'event' = 'certificate.issued' GROUP BY 1`,
  );
  expect(events.rows).toHaveLength(N);
  expect(events.rows.every((e: { n: number }) => e.n === 1)).toBe(true);
  expect(new Set(events.rows.map((e: { serial: string }) => e.serial))).toEqual(new Set(final.map((b) => b.serial)));

  const auditor = stack.token('auditor', ['auditor']);
  const verified = await signetCli(stack, ['audit', 'verify', '--json'], auditor.token);
  expect(verified.json).toMatchObject({ ok: true });
}, 240_000);
