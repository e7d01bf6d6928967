import { generateAssertionKeyPair, loadSigningKey } from '@signet/assertions';
import { decodeJson, encodeJson } from '@signet/bus';
import { BusSubmit, Commands, ErrorCode, type IdentityInput, type PolicyVerifyReply, type SubmitRequest } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { signSubmitAssertion } from '../testing/front-door';
import { makeCsr } from '../testing/openssl';
import { OneTimeCredentialStore } from './one-time.store';

/*
 * ADR 0026 step 1 at ca-core, on the real bus and database: an identity is
 * believed from a front door's signature (SIGNET_FRONT_DOOR_KEYS) or from
 * the bus submitter's own subject, nothing else; a refused credential
 * stores nothing; a one-time credential makes one request.
 */

const issue = (): PolicyVerifyReply => ({ verdict: 'issue', message: 'ok', changes: {} });

describe('enrollee identity at ca-core', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  let n = 0;

  beforeAll(async () => {
    h = await startCaCore('ident');
    h.setPolicy(issue);
  });
  afterAll(async () => {
    await h?.close();
    w.remove();
  });
  afterEach(async () => {
    // Whatever happened, nothing is left in process.
    expect(await count(`disposition = 'in_process'`)).toBe(0);
  });

  const count = async (where = 'true', params: unknown[] = []) =>
    Number((await h.ds.query(`SELECT count(*)::int AS n FROM request WHERE ca_name = $1 AND ${where}`, [h.ca, ...params]))[0].n);
  const stored = async (id: number) =>
    (await h.ds.query(`SELECT requester_name, identity FROM request WHERE ca_name = $1 AND id = $2`, [h.ca, id]))[0] as { requester_name: string; identity: unknown };
  /** A fresh CSR each call, so no two requests are alike. */
  const message = (extra: Partial<SubmitRequest> = {}): SubmitRequest => {
    const name = `id${++n}`;
    return { request: makeCsr(w, name, `/CN=${name}.ident.test`), attributes: 'CertificateTemplate:WebServer', ...extra };
  };
  const alice: IdentityInput = { method: 'enrollment-token', principal: 'alice', names: [{ type: 'dns', value: 'alice.ident.test' }], groups: ['ops'], evidence: { jti: 't-1', kid: 'k1' } };
  const expectedAlice = { ...alice, groups: ['ops'] };

  it('a valid assertion: its identity is stored, is the requester name, reaches the policy and the admin read', async () => {
    const r = await h.submitAs(alice, message());
    expect(r.disposition).toBe('issued');
    expect(await stored(r.requestId)).toEqual({ requester_name: 'enrollment-token:alice', identity: expectedAlice });
    const call = h.verifyCalls.find((c) => c.requestId === r.requestId)!;
    expect(call.identity).toEqual(expectedAlice);
    expect(call.request.requesterName).toBe('enrollment-token:alice');
    const detail = await h.client.call(Commands.adminGetRequest, h.ca, { actor: { name: 'viewer', roles: ['viewer'] }, requestId: r.requestId });
    expect(detail).toMatchObject({ requesterName: 'enrollment-token:alice', identity: expectedAlice });
    const [audit] = await h.ds.query(`SELECT actor, details FROM audit_log WHERE ca_name = $1 AND request_id = $2 AND action = 'request.submit'`, [h.ca, r.requestId]);
    expect(audit).toEqual({ actor: 'enrollment-token:alice', details: { identity: { method: 'enrollment-token', principal: 'alice', evidence: { jti: 't-1', kid: 'k1' } } } });
  });

  it('no assertion: anonymous, as before', async () => {
    const r = await h.client.call(Commands.submit, h.ca, message());
    expect(await stored(r.requestId)).toEqual({ requester_name: 'anonymous', identity: { method: 'anonymous', principal: 'anonymous', names: [], groups: [], evidence: {} } });
    expect(h.verifyCalls.find((c) => c.requestId === r.requestId)!.identity).toMatchObject({ method: 'anonymous' });
  });

  describe('a credential that does not hold is refused, and nothing is stored', () => {
    let before: number;
    let verifies: number;
    beforeEach(async () => {
      before = await count();
      verifies = h.verifyCalls.length;
    });
    afterEach(async () => {
      expect(await count()).toBe(before);
      expect(h.verifyCalls.length).toBe(verifies);
    });

    const forgedKey = loadSigningKey(generateAssertionKeyPair().privateKeyPem);
    it.each<[string, () => Promise<unknown>, string]>([
      ['forged: signed by a key ca-core does not trust', async () => {
        const m = message();
        return h.client.call(Commands.submit, h.ca, { ...m, identityAssertion: await signSubmitAssertion(forgedKey, h.ca, alice, m) });
      }, 'unknown-key'],
      ['expired', () => h.submitAs(alice, message(), { now: new Date(Date.now() - 61_000 - 5_000) }), 'expired'],
      ['for another CA', () => h.submitAs(alice, message(), { audience: 'ca-core:some-other-ca' }), 'wrong-audience'],
      ['a CSR swapped under a valid assertion', async () => {
        const signed = message();
        const jws = await signSubmitAssertion(h.frontDoor, h.ca, alice, signed);
        return h.client.call(Commands.submit, h.ca, { ...message(), identityAssertion: jws });
      }, 'request-mismatch'],
      ['the attributes swapped under a valid assertion', async () => {
        const signed = message();
        const jws = await signSubmitAssertion(h.frontDoor, h.ca, alice, signed);
        return h.client.call(Commands.submit, h.ca, { ...signed, attributes: 'CertificateTemplate:SubCA', identityAssertion: jws });
      }, 'attributes-mismatch'],
      ['the idempotency key swapped under a valid assertion', async () => {
        const signed = message({ idempotencyKey: `k-${n}` });
        const jws = await signSubmitAssertion(h.frontDoor, h.ca, alice, signed);
        return h.client.call(Commands.submit, h.ca, { ...signed, idempotencyKey: `other-${n}`, identityAssertion: jws });
      }, 'idempotency-key-mismatch'],
    ])('%s: UNAUTHORIZED', async (_n, run, reason) => {
      const e = await failure(run());
      expect(e).toMatchObject({ code: ErrorCode.Unauthorized, retryable: false, details: { reason } });
      expect(e.message).toMatch(/^identity assertion refused: /);
    });
  });

  describe('one-time credentials', () => {
    const once = (oneTime: string): IdentityInput => ({ ...alice, oneTime, evidence: { jti: oneTime } });

    it('a second request with the same one is refused (CREDENTIAL_REPLAYED), nothing stored; an idempotent retry answers the first', async () => {
      const oneTime = `jti-${Date.now()}-a`;
      const first = message({ idempotencyKey: `ot-${oneTime}` });
      const r = await h.submitAs(once(oneTime), first);
      expect(r.disposition).toBe('issued');
      const store = h.app.get(OneTimeCredentialStore);
      expect(await store.isUsed(h.ca, oneTime)).toBe(true);
      expect(await store.isUsed(h.ca, `${oneTime}-never`)).toBe(false);

      const before = await count();
      for (const again of [message(), message({ idempotencyKey: `ot-${oneTime}-2` })]) {
        const e = await failure(h.submitAs(once(oneTime), again));
        expect(e).toMatchObject({ code: ErrorCode.CredentialReplayed, retryable: false });
        expect(e.details).not.toHaveProperty('requestId');
      }
      expect(await count()).toBe(before);

      // The same submit again (a client retrying after a lost answer): the first result, no second request.
      const retry = await h.submitAs(once(oneTime), first);
      expect(retry).toMatchObject({ requestId: r.requestId, disposition: 'issued', serial: r.serial });
      expect(await count()).toBe(before);
      const [{ request_id }] = await h.ds.query(`SELECT request_id FROM one_time_credential WHERE ca_name = $1 AND one_time = $2`, [h.ca, oneTime]);
      expect(Number(request_id)).toBe(r.requestId);
    });

    it('concurrent submits with the same one: exactly one request', async () => {
      const oneTime = `jti-${Date.now()}-c`;
      const before = await count();
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => h.submitAs(once(oneTime), message())));
      const ok = results.filter((x) => x.status === 'fulfilled');
      const refused = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(refused.map((x) => x.reason.code)).toEqual([ErrorCode.CredentialReplayed, ErrorCode.CredentialReplayed, ErrorCode.CredentialReplayed]);
      expect(await count()).toBe(before + 1);
      expect(await count(`identity->>'oneTime' = $2`, [oneTime])).toBe(1);
    });

    it('is per CA and per credential: another one-time id is a request of its own', async () => {
      const a = await h.submitAs(once(`jti-${Date.now()}-x`), message());
      const b = await h.submitAs(once(`jti-${Date.now()}-y`), message());
      expect(b.requestId).not.toBe(a.requestId);
    });
  });

  it('an idempotency key is its requester\'s: the same request under another identity is a conflict, not a retry', async () => {
    const m = message({ idempotencyKey: `mine-${n}` });
    await h.submitAs(alice, m);
    const e = await failure(h.submitAs({ method: 'enrollment-token', principal: 'mallory' }, m));
    expect(e.code).toBe(ErrorCode.IdempotencyConflict);
    // Nor may an anonymous caller take it over with the key and the bytes.
    expect((await failure(h.client.call(Commands.submit, h.ca, m))).code).toBe(ErrorCode.IdempotencyConflict);
  });

  describe('bus submitters are their NATS user', () => {
    it('the user in the subject is the principal', async () => {
      const r = await h.submitOnBus('billing-svc', message());
      expect(await stored(r.requestId)).toEqual({ requester_name: 'bus:billing-svc', identity: { method: 'bus', principal: 'billing-svc', names: [], groups: [], evidence: {} } });
      expect(h.verifyCalls.find((c) => c.requestId === r.requestId)!.identity).toMatchObject({ method: 'bus', principal: 'billing-svc' });
    });

    it('a claim in the body is not believed: a requester field or an assertion, even a valid one, is refused and nothing stored', async () => {
      const before = await count();
      const raw = async (body: Record<string, unknown>) =>
        decodeJson((await h.clientNc.request(BusSubmit.subject(h.ca, 'billing-svc'), encodeJson(body), { timeout: 10_000 })).data) as { ok: boolean; error?: { code: string; message: string } };
      const asAdmin = await raw({ ...message(), requester: 'admin' });
      expect(asAdmin).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage, message: expect.stringContaining('requester: unknown field') } });
      const m = message();
      const withAssertion = await raw({ ...m, identityAssertion: await signSubmitAssertion(h.frontDoor, h.ca, alice, m) });
      expect(withAssertion).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage, message: expect.stringContaining('identityAssertion is not accepted') } });
      expect(await count()).toBe(before);
    });
  });
});
