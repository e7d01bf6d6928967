import { generateAssertionKeyPair, loadSigningKey, loadVerifyKeys } from '@signet/assertions';
import { ANONYMOUS_IDENTITY, ErrorCode, SignetError, SubmitRequestSchema, type IdentityInput, type SubmitRequest } from '@signet/contracts';
import { signRetrieveAssertion, signSubmitAssertion, type SignOverrides } from '../testing/front-door';
import { busIdentity, retrieverIdentity, submitterIdentity, type VerifyContext } from './front-door';

const pair = generateAssertionKeyPair();
const key = loadSigningKey(pair.privateKeyPem);
const ctx: VerifyContext = { ca: 'acme', keys: loadVerifyKeys(pair.publicKeyPem) };
const alice: IdentityInput = { method: 'enrollment-token', principal: 'alice', names: [{ type: 'dns', value: 'a.example' }], oneTime: 'jti-1', evidence: { jti: 'jti-1' } };
const msg: SubmitRequest = { request: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n', attributes: 'CertificateTemplate:WebServer', idempotencyKey: 'order-1' };
const parsed = (m: SubmitRequest) => SubmitRequestSchema.parse(m);

async function submitWith(identity: IdentityInput, signedFor: SubmitRequest, o: SignOverrides = {}, sent: SubmitRequest = signedFor, c: VerifyContext = ctx) {
  return submitterIdentity(c, parsed({ ...sent, identityAssertion: await signSubmitAssertion(key, 'acme', identity, signedFor, o) }));
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SignetError);
    expect((e as SignetError).code).toBe(ErrorCode.Unauthorized);
    expect((e as SignetError).message).toMatch(/^identity assertion refused: /);
    return (e as SignetError).details!.reason as string;
  }
  throw new Error('expected a refusal');
}

describe('submitterIdentity (a front door\'s signed identity, ADR 0026)', () => {
  it('ok/no assertion is anonymous', async () => {
    expect(await submitterIdentity(ctx, parsed(msg))).toBe(ANONYMOUS_IDENTITY);
  });

  it('ok/a valid assertion gives the identity it signed, with the schema\'s defaults', async () => {
    expect(await submitWith(alice, msg)).toEqual({ ...alice, groups: [] });
  });

  it('ok/without attributes or idempotency key, as the message has none', async () => {
    const bare = { request: msg.request };
    expect(await submitWith(alice, bare)).toMatchObject({ principal: 'alice' });
  });

  it('ok/a front door asserting method service for itself', async () => {
    expect(await submitWith({ method: 'service', principal: 'intermediary' }, msg)).toMatchObject({ method: 'service', principal: 'intermediary' });
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ['signed by a key this CA does not trust', () => submitWith(alice, msg, {}, msg, { ...ctx, keys: loadVerifyKeys(generateAssertionKeyPair().publicKeyPem) }), 'unknown-key'],
    ['expired', () => submitWith(alice, msg, { now: new Date(Date.now() - 120_000) }), 'expired'],
    ['for another CA', () => submitWith(alice, msg, { audience: 'ca-core:other' }), 'wrong-audience'],
    ['of another type', () => submitWith(alice, msg, { type: 'signet-admin+jwt' }), 'wrong-type'],
    ['from an issuer that is no front door', () => submitWith(alice, msg, { issuer: 'admin-api' }), 'wrong-issuer'],
    ['for another CSR', () => submitWith(alice, msg, {}, { ...msg, request: msg.request.replace('MIIB', 'MIIC') }), 'request-mismatch'],
    ['for other attributes (another template)', () => submitWith(alice, msg, {}, { ...msg, attributes: 'CertificateTemplate:SubCA' }), 'attributes-mismatch'],
    ['for another idempotency key', () => submitWith(alice, msg, {}, { ...msg, idempotencyKey: 'order-2' }), 'idempotency-key-mismatch'],
    ['for a key the message does not carry', () => submitWith(alice, msg, {}, { request: msg.request, attributes: msg.attributes }), 'idempotency-key-mismatch'],
    ['without one the message carries', () => submitWith(alice, { request: msg.request, attributes: msg.attributes }, {}, msg), 'idempotency-key-mismatch'],
    ['signed for reading a request back', async () => submitterIdentity(ctx, parsed({ ...msg, identityAssertion: await signRetrieveAssertion(key, 'acme', alice, 1) })), 'wrong-purpose'],
    ['whose identity breaks the contract (a control character)', () => submitWith({ ...alice, principal: 'alice\nadmin' }, msg), 'bad-claims'],
    ['whose identity has an unknown method', () => submitWith({ ...alice, method: 'kerberos' as never }, msg), 'bad-claims'],
    ['asserting a bus identity (only the subject gives one)', () => submitWith({ method: 'bus', principal: 'billing' }, msg), 'not-assertable'],
    ['asserting method service for another service', () => submitWith({ method: 'service', principal: 'admin-api' }, msg), 'not-assertable'],
    ['when this CA trusts no front-door key', () => submitWith(alice, msg, {}, msg, { ca: 'acme', keys: undefined }), 'no-front-door-keys'],
  ])('fail/an assertion %s', async (_n, run, why) => {
    expect(await reason(run())).toBe(why);
  });

  it('fail/a payload changed after signing', async () => {
    const jws = await signSubmitAssertion(key, 'acme', alice, msg);
    const [h, p, s] = jws.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const changed = Buffer.from(JSON.stringify({ ...claims, identity: { ...claims.identity, principal: 'root' } })).toString('base64url');
    expect(await reason(submitterIdentity(ctx, parsed({ ...msg, identityAssertion: `${h}.${changed}.${s}` })))).toBe('bad-signature');
  });
});

describe('retrieverIdentity', () => {
  it('ok/none is anonymous; one signed for this request id is its identity', async () => {
    expect(await retrieverIdentity(ctx, { requestId: 4 })).toBe(ANONYMOUS_IDENTITY);
    const jws = await signRetrieveAssertion(key, 'acme', alice, 4);
    expect(await retrieverIdentity(ctx, { requestId: 4, identityAssertion: jws })).toMatchObject({ method: 'enrollment-token', principal: 'alice' });
  });
  it('fail/signed for another request, or for a submit', async () => {
    expect(await reason(retrieverIdentity(ctx, { requestId: 5, identityAssertion: await signRetrieveAssertion(key, 'acme', alice, 4) }))).toBe('request-id-mismatch');
    expect(await reason(retrieverIdentity(ctx, { requestId: 4, identityAssertion: await signSubmitAssertion(key, 'acme', alice, msg) }))).toBe('wrong-purpose');
  });
});

describe('busIdentity', () => {
  it('is the NATS user, method bus, proving no names', () => {
    expect(busIdentity('billing')).toEqual({ method: 'bus', principal: 'billing', names: [], groups: [], evidence: {} });
  });
});
