import { AssertionError, generateAssertionKeyPair, loadSigningKey, loadVerifyKeys, signAssertion } from './assertions';
import { bodySha256, signAdminAssertion, verifyAdminAssertion } from './admin-assertion';

const pair = generateAssertionKeyPair();
const key = loadSigningKey(pair.privateKeyPem);
const keys = loadVerifyKeys(pair.publicKeyPem);
const body = new TextEncoder().encode('{"serial":"0a","reason":1}');
const actor = { name: 'olivia', roles: ['officer' as const] };
const expected = { ca: 'acme', command: 'ca.admin.revoke', body };
const reason = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AssertionError);
    return (e as AssertionError).reason;
  }
  throw new Error('expected a refusal');
};

describe('admin assertions', () => {
  it('ok/gives back the actor it was signed for', async () => {
    const jwt = await signAdminAssertion(key, { ...expected, actor });
    await expect(verifyAdminAssertion(keys, jwt, expected)).resolves.toMatchObject({ actor, jti: expect.any(String), expiresAt: expect.any(Date) });
    expect(bodySha256(body)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ok/an authentication assertion names no actor', async () => {
    const jwt = await signAdminAssertion(key, { ca: 'acme', command: 'ca.admin.authenticate', body });
    expect((await verifyAdminAssertion(keys, jwt, { ca: 'acme', command: 'ca.admin.authenticate', body })).actor).toBeUndefined();
  });

  it('fail/none, another CA, another command, another body (one byte), a key not trusted', async () => {
    const jwt = await signAdminAssertion(key, { ...expected, actor });
    expect(await reason(verifyAdminAssertion(keys, undefined, expected))).toBe('malformed');
    expect(await reason(verifyAdminAssertion(keys, jwt, { ...expected, ca: 'other' }))).toBe('wrong-audience');
    expect(await reason(verifyAdminAssertion(keys, jwt, { ...expected, command: 'ca.admin.release' }))).toBe('wrong-command');
    expect(await reason(verifyAdminAssertion(keys, jwt, { ...expected, body: new TextEncoder().encode('{"serial":"0a","reason":2}') }))).toBe('wrong-body');
    expect(await reason(verifyAdminAssertion(loadVerifyKeys(generateAssertionKeyPair().publicKeyPem), jwt, expected))).toBe('unknown-key');
  });

  it('fail/expired, or signed to live longer than 60 s', async () => {
    const old = await signAdminAssertion(key, { ...expected, actor, now: new Date(Date.now() - 120_000) });
    expect(await reason(verifyAdminAssertion(keys, old, expected))).toBe('expired');
    const long = await signAdminAssertion(key, { ...expected, actor, ttlSeconds: 3600 });
    expect(await reason(verifyAdminAssertion(keys, long, expected))).toBe('bad-claims');
  });

  it('fail/another kind of assertion with the same key (a front door identity), or claims of the wrong shape', async () => {
    const identity = await signAssertion(key, { cmd: 'ca.admin.revoke', body: bodySha256(body), actor, jti: 'j' }, { issuer: 'admin-api', audience: 'ca-core:acme', type: 'signet-identity+jwt', ttlSeconds: 30 });
    expect(await reason(verifyAdminAssertion(keys, identity, expected))).toBe('wrong-type');
    const shapeless = await signAssertion(key, { cmd: 'ca.admin.revoke', body: bodySha256(body), actor: { name: 'root', roles: ['root'] }, jti: 'j' }, { issuer: 'admin-api', audience: 'ca-core:acme', type: 'signet-admin+jwt', ttlSeconds: 30 });
    expect(await reason(verifyAdminAssertion(keys, shapeless, expected))).toBe('bad-claims');
    const otherIssuer = await signAssertion(key, { cmd: 'ca.admin.revoke', body: bodySha256(body), actor, jti: 'j' }, { issuer: 'intermediary', audience: 'ca-core:acme', type: 'signet-admin+jwt', ttlSeconds: 30 });
    expect(await reason(verifyAdminAssertion(keys, otherIssuer, expected))).toBe('wrong-issuer');
  });
});
