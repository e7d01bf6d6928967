import { ErrorCode, Events, ExitEvent, type IdentityInput, type PolicyVerifyReply, type SubmitRequest, type SubmitResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { AuditStore } from '../audit/audit.store';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';

/*
 * Group commit (ADR 0037) on the real bus and database. Several requests
 * share one transaction; when that transaction fails, every request in it
 * is answered with a retryable error and kept, and its submitter's retry
 * with the same idempotency key carries on with it and gets exactly one
 * certificate. The failure is real: a trigger the test installs makes
 * PostgreSQL refuse every certificate insert with SQLSTATE 40001 (a
 * serialization failure, the kind a busy database gives) while it is on.
 */

const ATTRIBUTES = 'Certificate-Template: WebServer';
const N = 6;

const issue = (): PolicyVerifyReply => ({ verdict: 'issue', message: 'issued by the test policy', decidedBy: { rule: 'web-server' }, changes: { template: 'WebServer' } });

describe('group commit: a failed batch (real bus and database)', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    // A wide window, so the concurrent requests below share their batches.
    h = await startCaCore('batch', { SIGNET_BATCH_WINDOW_MS: '50', SIGNET_BATCH_MAX: '64' });
    h.setPolicy(issue);
    await h.ds.query(`CREATE TABLE fault_switch (on_ boolean NOT NULL)`);
    await h.ds.query(`
      CREATE FUNCTION fault_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM fault_switch WHERE on_) THEN
          RAISE EXCEPTION 'injected fault' USING ERRCODE = '40001';
        END IF;
        RETURN NEW;
      END $$`);
    await h.ds.query(`CREATE TRIGGER fault_certificate BEFORE INSERT ON certificate FOR EACH ROW EXECUTE FUNCTION fault_certificate()`);
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  const submit = (csrPem: string, extra: Partial<SubmitRequest> = {}): Promise<SubmitResult> => h.submitOnBus('alice', { request: csrPem, attributes: ATTRIBUTES, ...extra });

  it('answers every request of the failed batch with a retryable error, keeps it, and its retry with the same key gets exactly one certificate', async () => {
    const csrs = Array.from({ length: N }, (_, i) => makeCsr(w, `b${i}`, `/CN=b${i}.example.test`));
    const keys = csrs.map((_, i) => `batch-${i}-${h.ca}`);
    await h.ds.query(`INSERT INTO fault_switch VALUES (true)`);

    const errors = await Promise.all(csrs.map((csr, i) => failure(submit(csr, { idempotencyKey: keys[i] }))));
    for (const e of errors) expect(e).toMatchObject({ code: ErrorCode.Internal, retryable: true, details: { requestId: expect.any(Number) } });
    const ids = errors.map((e) => Number(e.details!.requestId));
    expect(new Set(ids).size).toBe(N);
    // Kept: pending, marked for its submitter's retry, no certificate, no event of an issuance.
    const rows = await h.ds.query(`SELECT id, disposition, resumable FROM request WHERE ca_name = $1 AND id = ANY($2) ORDER BY id`, [h.ca, ids]);
    expect(rows.map((r: { disposition: string; resumable: boolean }) => [r.disposition, r.resumable])).toEqual(ids.map(() => ['pending', true]));
    const [{ n: certs }] = await h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE ca_name = $1`, [h.ca]);
    expect(certs).toBe(0);
    // They did share transactions: fewer batches than requests (each park's audit entries came in one chain append).
    const [{ batches }] = await h.ds.query(`SELECT count(DISTINCT at)::int AS batches FROM audit_log WHERE ca_name = $1 AND action = 'request.submit'`, [h.ca]);
    expect(batches).toBeLessThan(N);

    await h.ds.query(`UPDATE fault_switch SET on_ = false`);
    const retried = await Promise.all(csrs.map((csr, i) => submit(csr, { idempotencyKey: keys[i] })));
    retried.forEach((r, i) => expect(r).toMatchObject({ requestId: ids[i], disposition: 'issued', serial: expect.any(String), certificate: expect.stringContaining('BEGIN CERTIFICATE') }));
    // A second retry answers the same certificate; nothing is issued twice.
    const again = await Promise.all(csrs.map((csr, i) => submit(csr, { idempotencyKey: keys[i] })));
    again.forEach((r, i) => expect(r).toMatchObject({ requestId: ids[i], disposition: 'issued', serial: retried[i].serial }));
    const perRequest = await h.ds.query(`SELECT request_id, count(*)::int AS n FROM certificate WHERE ca_name = $1 GROUP BY request_id ORDER BY request_id`, [h.ca]);
    expect(perRequest).toEqual([...ids].sort((a, b) => a - b).map((id) => ({ request_id: String(id), n: 1 })));
    const events = await h.ds.query(`SELECT (payload->>'requestId')::bigint AS id, subject FROM outbox WHERE subject = $1 ORDER BY 1`, [Events.subject(h.ca, ExitEvent.CertificateIssued)]);
    expect(events.map((e: { id: string }) => Number(e.id))).toEqual([...ids].sort((a, b) => a - b));
    const actions = await h.ds.query(`SELECT action FROM audit_log WHERE ca_name = $1 AND request_id = $2 ORDER BY seq`, [h.ca, ids[0]]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['request.submit', 'request.park', 'request.resume', 'request.issue', 'request.retry']);
    expect(await new AuditStore(h.ds).verify(h.ca)).toMatchObject({ ok: true });
  }, 60_000);

  it('a one-time credential replayed inside a batch refuses only its own request; the rest of the batch is stored', async () => {
    const identity: IdentityInput = { method: 'enrollment-token', principal: 'dora', oneTime: `jti-${h.ca}`, names: [{ type: 'dns', value: 'dora.batch.test' }], groups: [], evidence: { jti: `jti-${h.ca}` } };
    const csrs = Array.from({ length: 3 }, (_, i) => makeCsr(w, `o${i}`, `/CN=o${i}.example.test`));
    const out = await Promise.allSettled([
      h.submitAs(identity, { request: csrs[0], attributes: ATTRIBUTES }),
      h.submitAs(identity, { request: csrs[1], attributes: ATTRIBUTES }),
      submit(csrs[2]),
    ]);
    const ok = out.filter((o) => o.status === 'fulfilled');
    const refused = out.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({ code: ErrorCode.CredentialReplayed });
    expect(out[2]).toMatchObject({ status: 'fulfilled', value: { disposition: 'issued' } });
    expect(await new AuditStore(h.ds).verify(h.ca)).toMatchObject({ ok: true });
  }, 60_000);
});
