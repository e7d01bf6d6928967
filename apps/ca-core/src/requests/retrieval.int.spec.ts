import { generateAssertionKeyPair, loadSigningKey } from '@signet/assertions';
import { Commands, ErrorCode, Events, ExitEvent, type IdentityInput, type PolicyVerifyReply, type PolicyVerifyRequest, type RetrieveRequest, type SubmitResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeKeyUsage, OID } from '@signet/x509';
import { createHash } from 'node:crypto';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { eventCounts, waitFor } from '../testing/infra';
import { signRetrieveAssertion, signSubmitAssertion } from '../testing/front-door';
import { makeCsr } from '../testing/openssl';

/*
 * RetrievePending is for the request's owner only (ADR 0025): the holder
 * of the retrieval secret from the submit reply, or the same requester as
 * a front door signs it for that request id (ADR 0026). Real bus, real PostgreSQL, the harness's policy double: a new
 * request whose subject starts with "pend" pends, "deny" is denied, any
 * other is issued; a resubmit issues.
 */

const officer = { name: 'olivia', roles: ['officer' as const] };

function policy(req: PolicyVerifyRequest): PolicyVerifyReply {
  const cn = req.request.subject.find((r) => r.type === 'CN')?.value ?? '';
  if (req.newRequest && cn.startsWith('pend')) return { verdict: 'pend', message: 'a certificate manager must approve this', decidedBy: { rule: 'manual-approval' } };
  if (req.newRequest && cn.startsWith('deny')) return { verdict: 'deny', message: 'names on the private list are refused', decidedBy: { rule: 'deny-list', field: 'subject.CN', value: cn } };
  return {
    verdict: 'issue',
    message: 'issued',
    decidedBy: { rule: 'test' },
    changes: { extensions: [{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']).toString('base64') }] },
  };
}

describe('retrieve: requests are private', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('retr');
    h.setPolicy(policy);
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  /** Anonymous, or as a front door signed `identity`. */
  const submit = (name: string, identity?: IdentityInput): Promise<SubmitResult> => {
    const msg = { request: makeCsr(w, name, `/CN=${name}.example.test`) };
    return identity ? h.submitAs(identity, msg) : h.client.call(Commands.submit, h.ca, msg);
  };
  const retrieve = (ask: RetrieveRequest) => h.client.call(Commands.retrieve, h.ca, ask);
  /** A retrieve with the front door's assertion that `identity` asks for `requestId` (or `signedFor`). */
  const retrieveAs = async (identity: IdentityInput, ask: RetrieveRequest, signedFor = ask.requestId) =>
    retrieve({ ...ask, identityAssertion: await signRetrieveAssertion(h.frontDoor, h.ca, identity, signedFor) });
  const token = (principal: string): IdentityInput => ({ method: 'enrollment-token', principal });
  const resubmit = (requestId: number) => h.client.call(Commands.adminResubmit, h.ca, { actor: officer, requestId });
  const deny = (requestId: number, reason: string) => h.client.call(Commands.adminDeny, h.ca, { actor: officer, requestId, reason });
  /**
   * Every row ca-core writes for a request: outbox events, audit entries, and the row's version.
   * The CRL schedule's own events (its first CRL comes about a second after start, whenever a
   * slow machine gets there) are not the reads' doing and are left out.
   */
  const writes = async () => {
    const [r] = await h.ds.query(
      `SELECT (SELECT count(*) FROM outbox WHERE subject <> $2)::int AS outbox, (SELECT count(*) FROM audit_log WHERE ca_name = $1)::int AS audit, (SELECT sum(version) FROM request WHERE ca_name = $1)::int AS versions`,
      [h.ca, Events.subject(h.ca, ExitEvent.CrlIssued)],
    );
    return r as { outbox: number; audit: number; versions: number };
  };
  const retrievedEvents = async (requestId: number) =>
    (await h.ds.query(`SELECT payload FROM outbox WHERE subject = $1 AND (payload->>'requestId')::bigint = $2`, [Events.subject(h.ca, ExitEvent.PendingRetrieved), requestId])) as Array<{
      payload: Record<string, unknown>;
    }>;
  const notFound = (requestId: number) => ({ code: ErrorCode.NotFound, message: `request ${requestId} not found`, details: { requestId }, retryable: false });
  const asPlain = (e: { code: string; message: string; details?: Record<string, unknown>; retryable: boolean }) => ({ code: e.code, message: e.message, details: e.details, retryable: e.retryable });

  it('the submit reply carries a secret of 256 random bits; the database holds only its SHA-256, nowhere the secret', async () => {
    const r = await submit('stored');
    expect(r.retrievalSecret).toMatch(/^sgr_[A-Za-z0-9_-]{43}$/);
    const [row] = await h.ds.query(`SELECT retrieval_secret_sha256 FROM request WHERE ca_name = $1 AND id = $2`, [h.ca, r.requestId]);
    expect(row.retrieval_secret_sha256).toBe(createHash('sha256').update(r.retrievalSecret).digest('hex'));
    // Not in any column of any row this CA wrote: request, audit log, outbox.
    const secretPart = r.retrievalSecret.slice(4);
    const [{ n }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM (
         SELECT row_to_json(r)::text AS t FROM request r WHERE ca_name = $1
         UNION ALL SELECT row_to_json(a)::text FROM audit_log a WHERE ca_name = $1
         UNION ALL SELECT row_to_json(o)::text FROM outbox o) x
       WHERE position($2 in t) > 0`,
      [h.ca, secretPart],
    );
    expect(n).toBe(0);
  });

  it('every request gets its own secret', async () => {
    const [a, b] = await Promise.all([submit('own-a'), submit('own-b')]);
    expect(a.retrievalSecret).not.toBe(b.retrievalSecret);
  });

  it('with its secret: the result; without, with a wrong or another request\'s secret: NOT_FOUND, the same as for an unknown id', async () => {
    const mine = await submit('mine');
    const other = await submit('other');
    await expect(retrieve({ requestId: mine.requestId, retrievalSecret: mine.retrievalSecret })).resolves.toMatchObject({ requestId: mine.requestId, disposition: 'issued', serial: mine.serial });

    const [{ max }] = await h.ds.query(`SELECT max(id)::int AS max FROM request`);
    const unknown = max + 1000;
    expect(asPlain(await failure(retrieve({ requestId: unknown, retrievalSecret: mine.retrievalSecret })))).toEqual(notFound(unknown));
    expect(asPlain(await failure(retrieve({ requestId: unknown })))).toEqual(notFound(unknown));
    for (const ask of [
      { requestId: other.requestId },
      { requestId: other.requestId, retrievalSecret: mine.retrievalSecret },
      { requestId: other.requestId, retrievalSecret: `sgr_${'A'.repeat(43)}` },
      { requestId: other.requestId, retrievalSecret: createHash('sha256').update(other.retrievalSecret).digest('hex') },
      { requestId: other.requestId, retrievalSecret: other.retrievalSecret.slice(0, -1) },
    ]) {
      expect(asPlain(await failure(retrieve(ask)))).toEqual(notFound(other.requestId));
    }
  });

  it("a non-owner learns nothing of a denied request: no officer's name, no reason", async () => {
    const r = await submit('pend-denied');
    await deny(r.requestId, 'the ticket OPS-7 says no');
    const refused = await failure(retrieve({ requestId: r.requestId }));
    expect(asPlain(refused)).toEqual(notFound(r.requestId));
    expect(JSON.stringify(asPlain(refused))).not.toMatch(/olivia|OPS-7|denied/i);
    // The owner reads both.
    await expect(retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret })).resolves.toMatchObject({
      disposition: 'denied',
      message: 'Denied by olivia: the ticket OPS-7 says no',
    });
  });

  it('by identity: the verified requester reads its own requests without the secret; another, or anonymous, does not', async () => {
    const alices = await submit('alice', token('alice'));
    const anonymous = await submit('anon');
    await expect(retrieveAs(token('alice'), { requestId: alices.requestId })).resolves.toMatchObject({ requestId: alices.requestId, disposition: 'issued' });
    expect(asPlain(await failure(retrieveAs(token('bob'), { requestId: alices.requestId })))).toEqual(notFound(alices.requestId));
    // Same principal, another method: another requester.
    expect(asPlain(await failure(retrieveAs({ method: 'oidc', principal: 'alice' }, { requestId: alices.requestId })))).toEqual(notFound(alices.requestId));
    expect(asPlain(await failure(retrieveAs({ method: 'anonymous', principal: 'anonymous' }, { requestId: anonymous.requestId })))).toEqual(notFound(anonymous.requestId));
    // The secret works whoever asks.
    await expect(retrieveAs(token('bob'), { requestId: alices.requestId, retrievalSecret: alices.retrievalSecret })).resolves.toMatchObject({ requestId: alices.requestId });
  });

  it('by identity only with an assertion signed for this request id, by a trusted key, for reading back', async () => {
    const alices = await submit('alice-bound', token('alice'));
    const other = await submit('alice-other', token('alice'));
    const refusal = async (p: Promise<unknown>) => {
      const e = await failure(p);
      return { code: e.code, reason: e.details?.reason };
    };
    // Signed for her other request: not a key to this one.
    expect(await refusal(retrieveAs(token('alice'), { requestId: alices.requestId }, other.requestId))).toEqual({ code: ErrorCode.Unauthorized, reason: 'request-id-mismatch' });
    // A submit's assertion does not read anything back.
    const submitJws = await signSubmitAssertion(h.frontDoor, h.ca, token('alice'), { request: 'x' });
    expect(await refusal(retrieve({ requestId: alices.requestId, identityAssertion: submitJws }))).toEqual({ code: ErrorCode.Unauthorized, reason: 'wrong-purpose' });
    // Another key.
    const forged = await signRetrieveAssertion(loadSigningKey(generateAssertionKeyPair().privateKeyPem), h.ca, token('alice'), alices.requestId);
    expect(await refusal(retrieve({ requestId: alices.requestId, identityAssertion: forged }))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
  });

  it('reads write nothing: owners and strangers, issued, pending and denied requests, unknown ids', async () => {
    const issued = await submit('reads-issued');
    const pending = await submit('pend-reads');
    const denied = await submit('deny-reads');
    expect([issued.disposition, pending.disposition, denied.disposition]).toEqual(['issued', 'pending', 'denied']);
    const before = await writes();
    for (const r of [issued, pending, denied]) {
      for (let i = 0; i < 3; i++) await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
      await failure(retrieve({ requestId: r.requestId }));
      await failure(retrieve({ requestId: r.requestId, retrievalSecret: issued.retrievalSecret === r.retrievalSecret ? pending.retrievalSecret : issued.retrievalSecret }));
    }
    await failure(retrieve({ requestId: 9_000_000 }));
    expect(await writes()).toEqual(before);
  });

  it('a certificate issued after submit (pending → resubmit): its owner\'s first retrieval writes request.retrieved once, and it is published once', async () => {
    const r = await submit('pend-approved');
    expect(r.disposition).toBe('pending');
    // While pending, reads write nothing.
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    const approved = await resubmit(r.requestId);
    expect(approved.disposition).toBe('issued');

    // Strangers first: refused, and they use up nothing.
    const before = await writes();
    await failure(retrieve({ requestId: r.requestId }));
    await failure(retrieveAs(token('olivia'), { requestId: r.requestId }));
    expect(await writes()).toEqual(before);
    expect(await retrievedEvents(r.requestId)).toEqual([]);

    // The owner, several times and concurrently: one event.
    const reads = await Promise.all(Array.from({ length: 4 }, () => retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret })));
    for (const got of reads) expect(got).toMatchObject({ disposition: 'issued', serial: approved.serial, certificate: approved.certificate });
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    const events = await retrievedEvents(r.requestId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ event: ExitEvent.PendingRetrieved, requestId: r.requestId, disposition: 'issued', serial: approved.serial });
    const after = await writes();
    expect(after).toEqual({ ...before, outbox: before.outbox + 1 });
    // Only the event: no audit entry, no change of the request's version.

    const subject = Events.subject(h.ca, ExitEvent.PendingRetrieved);
    await waitFor('the relay to publish request.retrieved', async () => (await eventCounts(h.clientNc, h.ca))[subject] === 1);
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    expect((await eventCounts(h.clientNc, h.ca))[subject]).toBe(1);
    expect(await writes()).toEqual(after);
  });

  it('a denied request an officer resubmits is issued after submit too: the first retrieval is the event', async () => {
    const r = await submit('deny-then-approved');
    expect(r.disposition).toBe('denied');
    expect((await resubmit(r.requestId)).disposition).toBe('issued');
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    expect(await retrievedEvents(r.requestId)).toHaveLength(1);
  });

  it('a certificate issued at submit was handed out by the reply: retrieving it writes no event', async () => {
    const r = await submit('at-once');
    expect(r.disposition).toBe('issued');
    await retrieve({ requestId: r.requestId, retrievalSecret: r.retrievalSecret });
    expect(await retrievedEvents(r.requestId)).toEqual([]);
  });
});
