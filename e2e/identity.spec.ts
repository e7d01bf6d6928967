import { generateAssertionKeyPair, loadSigningKey, loadVerifyKeys, signAssertion } from '@signet/assertions';
import { IDENTITY_ASSERTION_TYPE, identityAudience, submitDigest } from '@signet/contracts';
import { BusSubmit, Commands, decodeJson, encodeJson } from './support/bus';
import { opensslCsr } from './support/openssl';
import { Stack } from './support/stack';

/*
 * ADR 0026 step 1 with all five services: ca-core believes an identity only
 * from the intermediary's signature or from a bus submitter's own subject.
 * A process on the bus without the front-door key may make up any assertion
 * it likes; it is refused, and nothing is stored.
 */
const stack = new Stack();

beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

const csr = (name: string) => opensslCsr({ subject: `/CN=${name}`, sans: [`DNS:${name}`] });
const bus = async (subject: string, msg: unknown) => decodeJson((await stack.nc.request(subject, encodeJson(msg), { timeout: 20_000 })).data) as any;
const stored = async (id: number) => (await stack.db.query(`SELECT requester_name, identity FROM request WHERE id = $1`, [id])).rows[0];

describe('a process on the bus without the front-door key', () => {
  const alice = { method: 'enrollment-token', principal: 'alice', names: [{ type: 'dns', value: 'forged.example.com' }], groups: ['admins'], evidence: {} };

  it('making up an assertion (its own key, every claim right) is refused UNAUTHORIZED, and nothing is stored', async () => {
    const before = await stack.count('request');
    const msg = { request: csr('forged.example.com'), attributes: 'CertificateTemplate:WebServer' };
    const ownKey = loadSigningKey(generateAssertionKeyPair().privateKeyPem);
    const madeUp = await signAssertion(
      ownKey,
      { purpose: 'submit', identity: alice, requestSha256: submitDigest(msg.request), attributesSha256: submitDigest(msg.attributes) },
      { issuer: 'intermediary', audience: identityAudience(stack.ca), type: IDENTITY_ASSERTION_TYPE, ttlSeconds: 60 },
    );
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: IDENTITY_ASSERTION_TYPE })).toString('base64url')}.${Buffer.from(JSON.stringify({ purpose: 'submit', identity: alice })).toString('base64url')}.AA`;
    for (const [identityAssertion, reason] of [[madeUp, 'unknown-key'], [unsigned, 'malformed']]) {
      const reply = await bus(Commands.submit.subject(stack.ca), { ...msg, identityAssertion });
      expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', retryable: false, details: { reason } } });
      expect(JSON.stringify(reply)).not.toContain(identityAssertion);
    }
    expect(await stack.count('request')).toBe(before);
    expect(stack.service('ca-core').log()).not.toContain(madeUp);
  });

  it('the same request through the intermediary\'s HTTP: accepted, as the caller the intermediary established (anonymous), and held for proving nothing', async () => {
    const res = await stack.submit({ csr: csr('www.example.com'), attributes: { CertificateTemplate: 'WebServer' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'enroll.anonymous' } });
    expect(await stored(res.body.requestId)).toEqual({ requester_name: 'anonymous', identity: { method: 'anonymous', principal: 'anonymous', names: [], groups: [], evidence: {} } });
  });

  it('on its own bus subject it is its NATS user, and what its body says about itself is refused', async () => {
    const reply = await bus(BusSubmit.subject(stack.ca, 'billing'), { request: csr('billing.example.com'), attributes: 'CertificateTemplate:WebServer' });
    expect(reply).toMatchObject({ ok: true, data: { requestId: expect.any(Number) } });
    expect(await stored(reply.data.requestId)).toMatchObject({ requester_name: 'bus:billing', identity: { method: 'bus', principal: 'billing' } });
    const claims = await bus(BusSubmit.subject(stack.ca, 'billing'), { request: csr('billing2.example.com'), requester: 'admin' });
    expect(claims).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  });

  it('the front-door key never reaches a log; both start logs name its id, so an operator can match them', () => {
    const key = stack.frontDoor.privateKeyPem.split('\n')[1];
    for (const app of ['intermediary', 'ca-core'] as const) expect(stack.service(app).log()).not.toContain(key);
    const [kid] = loadVerifyKeys(stack.frontDoor.publicKeyPem).byKid.keys();
    expect(stack.service('intermediary').log()).toContain(`signing who asks with front-door key ${kid}`);
    expect(stack.service('ca-core').log()).toContain(`trusting 1 front-door key(s): ${kid}`);
  });
});
