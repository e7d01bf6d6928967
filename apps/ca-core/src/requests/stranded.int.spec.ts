import { ErrorCode, Events, ExitEvent, type PolicyVerifyReply, type SubmitRequest, type SubmitResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { decodeRequestText } from '@signet/x509';
import { createHash } from 'node:crypto';
import { AuditStore } from '../audit/audit.store';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { waitFor } from '../testing/infra';
import { makeCsr } from '../testing/openssl';

/*
 * Stranded requests (ADR 0034) on the real bus and database: a retried
 * idempotency key is answered within SIGNET_IDEMPOTENT_WAIT_MS, and a
 * request whose lease ran out (its process died) is parked by this running
 * ca-core's sweeper, while one whose lease is renewed or fresh is left alone.
 */

const WAIT_MS = 1_000;
const LEASE_MS = 3_000;
const ATTRIBUTES = 'Certificate-Template: WebServer';

const issue = (): PolicyVerifyReply => ({ verdict: 'issue', message: 'issued by the test policy', decidedBy: { rule: 'web-server' }, changes: { template: 'WebServer' } });

describe('stranded requests: lease, sweeper and bounded idempotent retries', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('strand', {
      SIGNET_IDEMPOTENT_WAIT_MS: String(WAIT_MS),
      SIGNET_REQUEST_LEASE_MS: String(LEASE_MS),
      SIGNET_STRANDED_SWEEP_MS: '200',
      SIGNET_POLICY_TIMEOUT_MS: '20000',
    });
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  const submit = (csrPem: string, extra: Partial<SubmitRequest> = {}): Promise<SubmitResult> => h.submitOnBus('alice', { request: csrPem, attributes: ATTRIBUTES, ...extra });

  async function row(id: number): Promise<{ disposition: string; disposition_message: string | null }> {
    const [r] = await h.ds.query(`SELECT disposition, disposition_message FROM request WHERE ca_name = $1 AND id = $2`, [h.ca, id]);
    return r;
  }

  /** A request as a ca-core that then died left it: in process, its lease `leaseSql` (as it last renewed it). */
  async function leftInProcess(csrPem: string, key: string, leaseSql: string): Promise<number> {
    const der = decodeRequestText(csrPem);
    const sha = createHash('sha256').update(der).update('\0').update(ATTRIBUTES).digest('hex');
    const [{ id }] = await h.ds.query(
      `INSERT INTO request (ca_name, disposition, raw_request, request_sha256, attributes_raw, requester_name, idempotency_key, lease_until)
       VALUES ($1, 'in_process', $2, $3, $4, 'bus:alice', $5, ${leaseSql}) RETURNING id`,
      [h.ca, der, sha, ATTRIBUTES, key],
    );
    return Number(id);
  }

  it('answers a retry of a key still in process IN_PROGRESS within the bound, keeps renewing the lease of the live request past its length, and gives the result once done', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    h.setPolicy(async () => {
      await held;
      return issue();
    });
    const csr = makeCsr(w, 'live', '/CN=live.example.test');
    const key = `live-${h.ca}`;
    const first = submit(csr, { idempotencyKey: key });
    await waitFor('the first request to reach the policy', async () => h.verifyCalls.length === 1);

    const started = Date.now();
    const err = await failure(submit(csr, { idempotencyKey: key }));
    // Generous: the bound is 1 s, the intermediary's default timeout 15 s.
    expect(Date.now() - started).toBeLessThan(WAIT_MS + 4_000);
    expect(err).toMatchObject({ code: ErrorCode.InProgress, retryable: true });

    // Held past two lease lengths: the renewals keep the sweeper off it.
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS + 500));
    const [{ id }] = await h.ds.query(`SELECT id FROM request WHERE ca_name = $1 AND idempotency_key = $2`, [h.ca, key]);
    expect(await row(Number(id))).toMatchObject({ disposition: 'in_process' });

    release();
    const done = await first;
    expect(done).toMatchObject({ disposition: 'issued' });
    const retried = await submit(csr, { idempotencyKey: key });
    expect(retried).toMatchObject({ requestId: done.requestId, disposition: 'issued', serial: done.serial });
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE ca_name = $1 AND request_id = $2`, [h.ca, done.requestId]);
    expect(n).toBe(1);
    const events = await h.ds.query(`SELECT subject FROM outbox WHERE (payload->>'requestId')::bigint = $1`, [done.requestId]);
    expect(events.map((e: { subject: string }) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.CertificateIssued)]);
  }, 30_000);

  it('parks a request whose lease ran out within seconds, with a reason and an audit record, resumes it on its retry (one certificate), and leaves one with a fresh lease alone', async () => {
    const strandedKey = `dead-${h.ca}`;
    const strandedCsr = makeCsr(w, 'dead', '/CN=dead.example.test');
    const fresh = await leftInProcess(makeCsr(w, 'fresh', '/CN=fresh.example.test'), `fresh-${h.ca}`, `now() + interval '10 minutes'`);
    // While the dead process's lease still runs, its retry is told to come back, not left to time out.
    const stranded = await leftInProcess(strandedCsr, strandedKey, `now() + interval '10 minutes'`);
    expect(await failure(submit(strandedCsr, { idempotencyKey: strandedKey }))).toMatchObject({ code: ErrorCode.InProgress });
    // Then its lease runs out (set here rather than raced against the clock, so a slow machine cannot park it before the retry).
    await h.ds.query(`UPDATE request SET lease_until = now() - interval '1 second' WHERE ca_name = $1 AND id = $2`, [h.ca, stranded]);

    await waitFor('the sweeper to park the stranded request', async () => (await row(stranded)).disposition === 'pending', 10_000);
    expect(await row(stranded)).toEqual({ disposition: 'pending', disposition_message: 'processing was interrupted; resubmit to continue' });
    const audit = await h.ds.query(`SELECT actor, action, before_disposition, after_disposition FROM audit_log WHERE ca_name = $1 AND request_id = $2 ORDER BY id`, [h.ca, stranded]);
    expect(audit).toEqual([{ actor: 'ca', action: 'request.park', before_disposition: 'in_process', after_disposition: 'pending' }]);
    // Parked because its processing was interrupted, not decided: its submitter's retry carries on with it and gets its one certificate (ADR 0037).
    const resumed = await submit(strandedCsr, { idempotencyKey: strandedKey });
    expect(resumed).toMatchObject({ requestId: stranded, disposition: 'issued', serial: expect.any(String) });
    expect(await submit(strandedCsr, { idempotencyKey: strandedKey })).toMatchObject({ requestId: stranded, disposition: 'issued', serial: resumed.serial });
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE ca_name = $1 AND request_id = $2`, [h.ca, stranded]);
    expect(n).toBe(1);
    const after = await h.ds.query(`SELECT action, before_disposition, after_disposition FROM audit_log WHERE ca_name = $1 AND request_id = $2 ORDER BY seq`, [h.ca, stranded]);
    expect(after.map((a: { action: string }) => a.action)).toEqual(['request.park', 'request.resume', 'request.issue', 'request.retry']);

    expect(await row(fresh)).toMatchObject({ disposition: 'in_process' });
    // The park is chained like every other transition.
    expect(await new AuditStore(h.ds).verify(h.ca)).toMatchObject({ ok: true });
  }, 30_000);
});
