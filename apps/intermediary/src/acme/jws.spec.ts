import { exportJWK, FlattenedSign, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { ACME_ALGORITHMS, checkUrl, parseJws, thumbprint, verifyExternalAccountBinding, verifyJws, type AcmeAlgorithm } from './jws';
import { AcmeProblem } from './problem';

const URL_ = 'https://ca.example.test/acme/new-order';
const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const keys: Record<string, { privateKey: KeyLike; jwk: JWK }> = {};
beforeAll(async () => {
  for (const alg of ACME_ALGORITHMS) {
    const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    keys[alg] = { privateKey, jwk: await exportJWK(publicKey) };
  }
});

async function signed(alg: AcmeAlgorithm, payload: unknown, header: Record<string, unknown> = {}): Promise<string> {
  const bytes = new TextEncoder().encode(payload === undefined ? '' : JSON.stringify(payload));
  const jws = await new FlattenedSign(bytes).setProtectedHeader({ alg, nonce: 'bm9uY2U', url: URL_, jwk: keys[alg].jwk, ...header } as { alg: string }).sign(keys[alg].privateKey);
  return JSON.stringify(jws);
}

function problem(fn: () => unknown): { type: string; status: number } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AcmeProblem) return { type: e.type, status: e.status };
    throw e;
  }
  throw new Error('no problem raised');
}

describe('parseJws: the flattened JWS and its protected header (RFC 8555 6.2)', () => {
  const header = (h: Record<string, unknown>) => JSON.stringify({ protected: b64(h), payload: '', signature: 'c2ln' });
  const base = { alg: 'ES256', nonce: 'abc', url: URL_, kid: 'https://ca.example.test/acme/acct/x' };
  it.each([
    ['fail/not JSON', 'nope', 'malformed'],
    ['fail/a JSON array', '[]', 'malformed'],
    ['fail/an unprotected header', JSON.stringify({ protected: b64(base), payload: '', signature: 'c2ln', header: {} }), 'malformed'],
    ['fail/the general serialisation', JSON.stringify({ payload: '', signatures: [] }), 'malformed'],
    ['fail/protected is not base64url JSON', JSON.stringify({ protected: 'e30$', payload: '', signature: 'c2ln' }), 'malformed'],
    ['fail/alg none', header({ ...base, alg: 'none' }), 'badSignatureAlgorithm'],
    ['fail/a MAC algorithm', header({ ...base, alg: 'HS256' }), 'badSignatureAlgorithm'],
    ['fail/no nonce', header({ ...base, nonce: undefined }), 'badNonce'],
    ['fail/no url', header({ ...base, url: undefined }), 'malformed'],
    ['fail/both jwk and kid', header({ ...base, jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } }), 'malformed'],
    ['fail/neither jwk nor kid', header({ ...base, kid: undefined }), 'malformed'],
    ['fail/a private key in jwk', header({ ...base, kid: undefined, jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' } }), 'badPublicKey'],
    ['fail/a P-384 key for ES256', header({ ...base, kid: undefined, jwk: { kty: 'EC', crv: 'P-384', x: 'a', y: 'b' } }), 'badPublicKey'],
    ['fail/an RSA key for EdDSA', header({ ...base, alg: 'EdDSA', kid: undefined, jwk: { kty: 'RSA', n: 'a', e: 'AQAB' } }), 'badPublicKey'],
  ])('%s', (_n, body, type) => {
    expect(problem(() => parseJws(body, 10_000)).type).toBe(type);
  });

  it('fail/a body over the bound is malformed with 413', () => {
    expect(problem(() => parseJws('x'.repeat(1025), 1024))).toEqual({ type: 'malformed', status: 413 });
  });

  it('ok/kid form', () => {
    expect(parseJws(header(base), 10_000).header).toEqual(base);
  });

  it('fail/the inner JWS of keyChange must not carry a nonce; ok without one', () => {
    expect(problem(() => parseJws(header({ ...base, kid: undefined, jwk: keys.ES256.jwk }), 10_000, { inner: true })).type).toBe('malformed');
    expect(parseJws(header({ alg: 'ES256', url: URL_, jwk: keys.ES256.jwk }), 10_000, { inner: true }).header.nonce).toBe('');
  });
});

describe('verifyJws: the signature with each ACME algorithm', () => {
  it.each(ACME_ALGORITHMS.map((a) => [a]))('ok/%s', async (alg) => {
    const parsed = parseJws(await signed(alg as AcmeAlgorithm, { identifiers: [] }), 10_000);
    await expect(verifyJws(parsed, keys[alg].jwk)).resolves.toEqual({ identifiers: [] });
  });

  it('ok/an empty payload is POST-as-GET (undefined)', async () => {
    await expect(verifyJws(parseJws(await signed('ES256', undefined), 10_000), keys.ES256.jwk)).resolves.toBeUndefined();
  });

  it('fail/another key, a changed payload, a non-object payload', async () => {
    const good = JSON.parse(await signed('ES256', { a: 1 }));
    await expect(verifyJws(parseJws(JSON.stringify(good), 10_000), keys.ES384.jwk)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyJws(parseJws(JSON.stringify({ ...good, payload: b64({ a: 2 }) }), 10_000), keys.ES256.jwk)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyJws(parseJws(await signed('ES256', [1]), 10_000), keys.ES256.jwk)).rejects.toMatchObject({ type: 'malformed' });
  });

  it('fail/the url must be the request URL exactly (unauthorized)', async () => {
    const parsed = parseJws(await signed('ES256', {}), 10_000);
    expect(() => checkUrl(parsed, URL_)).not.toThrow();
    expect(problem(() => checkUrl(parsed, `${URL_}/`)).type).toBe('unauthorized');
  });
});

describe('verifyExternalAccountBinding (RFC 8555 7.3.4)', () => {
  const mac = new Uint8Array(32).fill(7);
  const NEW_ACCOUNT = 'https://ca.example.test/acme/new-account';
  const eab = async (over: Record<string, unknown> = {}, payload: unknown = keys.ES256.jwk, key = mac) =>
    JSON.parse(JSON.stringify(await new FlattenedSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'HS256', kid: 'kid-1', url: NEW_ACCOUNT, ...over } as { alg: string }).sign(key)));
  const keyOf = async (kid: string) => (kid === 'kid-1' ? mac : undefined);

  it('ok/the MAC over the account key, for the newAccount URL', async () => {
    await expect(verifyExternalAccountBinding(await eab(), keys.ES256.jwk, NEW_ACCOUNT, keyOf)).resolves.toBe('kid-1');
  });
  it.each([
    ['fail/an unknown kid', { kid: 'other' }, undefined, undefined, 'unauthorized'],
    ['fail/another url', { url: 'https://elsewhere/acme/new-account' }, undefined, undefined, 'unauthorized'],
    ['fail/a nonce', { nonce: 'abc' }, undefined, undefined, 'malformed'],
    ['fail/a signature algorithm', { alg: 'HS1' }, undefined, undefined, 'badSignatureAlgorithm'],
    ['fail/another MAC key', {}, undefined, new Uint8Array(32).fill(9), 'unauthorized'],
    ['fail/another account key in the payload', {}, 'ES384', undefined, 'unauthorized'],
  ])('%s', async (_n, over, payloadAlg, key, type) => {
    const p = payloadAlg ? keys[payloadAlg as string].jwk : keys.ES256.jwk;
    const binding = (over as { alg?: string }).alg === 'HS1' ? { protected: b64({ alg: 'HS1', kid: 'kid-1', url: NEW_ACCOUNT }), payload: b64(p), signature: 'c2ln' } : await eab(over, p, key ?? mac);
    await expect(verifyExternalAccountBinding(binding, keys.ES256.jwk, NEW_ACCOUNT, keyOf)).rejects.toMatchObject({ type });
  });
  it('fail/not a JWS', async () => {
    await expect(verifyExternalAccountBinding('x', keys.ES256.jwk, NEW_ACCOUNT, keyOf)).rejects.toMatchObject({ type: 'malformed' });
  });
});

describe('thumbprint (RFC 7638)', () => {
  it('ok/ignores members beyond the public key', async () => {
    expect(await thumbprint({ ...keys.ES256.jwk, kid: 'x', use: 'sig' } as JWK)).toBe(await thumbprint(keys.ES256.jwk));
  });
});
