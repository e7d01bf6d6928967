import { generateKeyPairSync } from 'node:crypto';
import { AssertionError, generateAssertionKeyPair, loadSigningKey, loadVerifyKeys, signAssertion, verifyAssertion } from './assertions';

const pair = generateAssertionKeyPair();
const other = generateAssertionKeyPair();
const key = loadSigningKey(pair.privateKeyPem);
const keys = loadVerifyKeys(pair.publicKeyPem);
const sign = (claims: Record<string, unknown> = { who: 'alice' }, o: Partial<Parameters<typeof signAssertion>[2]> = {}) =>
  signAssertion(key, claims, { issuer: 'intermediary', audience: 'ca-core:signet', type: 'signet-identity+jwt', ttlSeconds: 60, ...o });
const verify = (jwt: string, o: Partial<Parameters<typeof verifyAssertion>[2]> = {}, k = keys) =>
  verifyAssertion(k, jwt, { audience: 'ca-core:signet', type: 'signet-identity+jwt', issuers: ['intermediary'], ...o });
const reason = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AssertionError);
    return (e as AssertionError).reason;
  }
  throw new Error('expected a refusal');
};

describe('service assertions', () => {
  it('a signed assertion verifies and gives back its claims, issuer and audience', async () => {
    const claims = await verify(await sign({ who: 'alice', n: 3 }));
    expect(claims).toMatchObject({ who: 'alice', n: 3, iss: 'intermediary', aud: 'ca-core:signet' });
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('refuses a key it does not trust, a changed payload, another audience, type or issuer', async () => {
    const jwt = await sign();
    expect(await reason(verify(jwt, {}, loadVerifyKeys(other.publicKeyPem)))).toBe('unknown-key');
    const [h, p, s] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), who: 'root' })).toString('base64url');
    expect(await reason(verify(`${h}.${forged}.${s}`))).toBe('bad-signature');
    expect(await reason(verify(jwt, { audience: 'ca-core:other' }))).toBe('wrong-audience');
    expect(await reason(verify(jwt, { type: 'signet-admin+jwt' }))).toBe('wrong-type');
    expect(await reason(verify(jwt, { issuers: ['admin-api'] }))).toBe('wrong-issuer');
  });

  it('refuses an expired assertion and one issued in the future, beyond the tolerance', async () => {
    const past = await sign({}, { now: new Date(Date.now() - 120_000) });
    expect(await reason(verify(past))).toBe('expired');
    const future = await sign({}, { now: new Date(Date.now() + 120_000) });
    expect(await reason(verify(future))).toBe('not-yet-valid');
  });

  it('refuses what is not a JWS, and an unsigned (alg none) token', async () => {
    expect(await reason(verify('not a token'))).toBe('malformed');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'signet-identity+jwt' })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect(await reason(verify(none))).toBe('malformed');
  });

  it('verifies with either key during a rotation', async () => {
    const both = loadVerifyKeys(other.publicKeyPem + pair.publicKeyPem);
    await expect(verify(await sign(), {}, both)).resolves.toMatchObject({ who: 'alice' });
    await expect(verify(await signAssertion(loadSigningKey(other.privateKeyPem), {}, { issuer: 'intermediary', audience: 'ca-core:signet', type: 'signet-identity+jwt', ttlSeconds: 60 }), {}, both)).resolves.toBeDefined();
  });

  it('takes only Ed25519 keys, and says so without echoing the key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadSigningKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'SIGNET_FRONT_DOOR_KEY')).toThrow('SIGNET_FRONT_DOOR_KEY must be an Ed25519 key, not ec');
    expect(() => loadSigningKey('garbage', 'SIGNET_FRONT_DOOR_KEY')).toThrow('SIGNET_FRONT_DOOR_KEY is not a PEM private key');
    expect(() => loadVerifyKeys('nothing here', 'SIGNET_FRONT_DOOR_KEYS')).toThrow('SIGNET_FRONT_DOOR_KEYS: no PEM key found');
    expect(() => loadVerifyKeys(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'K')).toThrow('K: key 1 must be an Ed25519 key, not ec');
  });
});
