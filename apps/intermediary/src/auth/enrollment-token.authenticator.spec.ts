import { ENROLLMENT_TOKEN_TYPE } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { createHmac, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { base64url, calculateJwkThumbprint, exportJWK, SignJWT, type JWTPayload } from 'jose';
import { bearer, startAuthApp, type AuthApp } from '../../test/auth-app';
import { jwkThumbprint } from './enrollment-keys';
import { loadTokenAuthConfig } from './tokens.config';
import { tokenAuthenticators } from './tokens.providers';

const AUDIENCE = 'https://pki.example.com';
const MAX_TTL = 600;

const ops = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const edge = generateKeyPairSync('ed25519');
const ci = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const now = () => Math.floor(Date.now() / 1000);

interface MintOptions {
  key?: KeyObject;
  alg?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

/** An enrollment token as `signet token enroll` makes one: `ops`'s ES256 key, typ, aud, iat/nbf/exp 5 minutes, a jti. */
async function mint(o: MintOptions = {}): Promise<string> {
  const t = now();
  const claims = Object.fromEntries(
    Object.entries({ iss: 'ops', sub: 'www.example.com', aud: AUDIENCE, iat: t, nbf: t, exp: t + 300, jti: base64url.encode(randomBytes(16)), sans: ['www.example.com'], ...o.claims }).filter(([, v]) => v !== undefined),
  );
  const key = o.key ?? ops.privateKey;
  const header = { alg: o.alg ?? 'ES256', typ: ENROLLMENT_TOKEN_TYPE, kid: jwkThumbprint(ops.publicKey), ...o.header };
  return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** A JWT signed with HMAC-SHA256 by hand: jose will not use a public key as a secret, an attacker's tool would. */
function hs256(secret: Buffer, header: object, payload: object): string {
  const h = base64url.encode(JSON.stringify(header));
  const p = base64url.encode(JSON.stringify(payload));
  return `${h}.${p}.${base64url.encode(createHmac('sha256', secret).update(`${h}.${p}`).digest())}`;
}

describe('enrollment tokens over HTTP', () => {
  const scratch = new ScratchDir('signet-enroll-keys-');
  let app: AuthApp;

  beforeAll(async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(ops.publicKey)), kid: jwkThumbprint(ops.publicKey), iss: 'ops', alg: 'ES256' },
        { ...(await exportJWK(edge.publicKey)), kid: 'edge-2026' },
      ],
    };
    const keysFile = scratch.write('keys.json', JSON.stringify(jwks));
    const config = loadTokenAuthConfig({ SIGNET_ENROLLMENT_KEYS_FILE: keysFile, SIGNET_ENROLLMENT_TOKEN_AUDIENCE: AUDIENCE, SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS: String(MAX_TTL) });
    // A PEM file too, as operators holding an openssl key register it: the RSA key under the name ci.
    const pemFile = scratch.write('keys.pem', `name: ci\n${ci.publicKey.export({ type: 'spki', format: 'pem' })}`);
    const pem = loadTokenAuthConfig({ SIGNET_ENROLLMENT_KEYS_FILE: pemFile, SIGNET_ENROLLMENT_TOKEN_AUDIENCE: AUDIENCE });
    config.enrollment!.keys.push(...pem.enrollment!.keys);
    app = await startAuthApp(tokenAuthenticators(config));
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  it('ok/a valid token is an identity with its names, template, groups, subject and one-time id', async () => {
    const token = await mint({
      claims: {
        sans: ['WWW.example.com', '192.0.2.10', 'ops@example.com', 'spiffe://example.com/web', { type: 'upn', value: 'web@corp.example.com' }],
        template: 'WebServer',
        groups: ['web'],
        subject: [{ type: 'CN', value: 'www.example.com' }],
      },
    });
    const r = await app.whoami(bearer(token));
    expect(r.status).toBe(200);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    expect(r.body).toEqual({
      method: 'enrollment-token',
      principal: 'ops:www.example.com',
      names: [
        { type: 'dns', value: 'www.example.com' },
        { type: 'ip', value: '192.0.2.10' },
        { type: 'email', value: 'ops@example.com' },
        { type: 'uri', value: 'spiffe://example.com/web' },
        { type: 'upn', value: 'web@corp.example.com' },
      ],
      groups: ['web'],
      template: 'WebServer',
      subject: [{ type: 'CN', value: 'www.example.com' }],
      oneTime: `enrollment-token:ops:${jti}`,
      evidence: { iss: 'ops', kid: jwkThumbprint(ops.publicKey), jti, exp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
  });

  it('ok/an EdDSA key named by its kid, and an RSA key registered as PEM', async () => {
    const ed = await mint({ key: edge.privateKey, alg: 'EdDSA', header: { kid: 'edge-2026' }, claims: { iss: 'edge-2026', sub: 'edge-7' } });
    expect((await app.whoami(bearer(ed))).body).toMatchObject({ method: 'enrollment-token', principal: 'edge-2026:edge-7' });
    const rs = await mint({ key: ci.privateKey, alg: 'RS256', header: { kid: undefined }, claims: { iss: 'ci', sub: 'job-42', sans: undefined } });
    expect((await app.whoami(bearer(rs))).body).toMatchObject({ principal: 'ci:job-42', names: [], groups: [] });
  });

  it('ok/no Authorization header, or another scheme, is no credential of this kind: anonymous', async () => {
    expect((await app.whoami()).body).toMatchObject({ method: 'anonymous' });
    expect((await app.whoami({ authorization: 'Basic dXNlcjpwYXNz' })).body).toMatchObject({ method: 'anonymous' });
  });

  it('ok/the key id is the RFC 7638 thumbprint jose computes', async () => {
    expect(jwkThumbprint(ops.publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(ops.publicKey)));
    expect(jwkThumbprint(ci.publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(ci.publicKey)));
    expect(jwkThumbprint(edge.publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(edge.publicKey)));
  });

  const t = now();
  const cases: [string, () => Promise<string>, string, RegExp][] = [
    ['expired', () => mint({ claims: { iat: t - 400, nbf: t - 400, exp: t - 100 } }), 'expired', /has expired/],
    ['not yet valid (nbf)', () => mint({ claims: { nbf: t + 300, exp: t + 500 } }), 'not-yet-valid', /not valid yet/],
    ['issued in the future (iat)', () => mint({ claims: { iat: t + 300, nbf: undefined, exp: t + 500 } }), 'not-yet-valid', /issued in the future/],
    ['wrong audience', () => mint({ claims: { aud: 'https://other.example.com' } }), 'wrong-audience', /another audience/],
    ['an issuer with no registered key', () => mint({ claims: { iss: 'nobody' } }), 'unknown-issuer', /no enrollment key is registered/],
    ['an unknown kid', () => mint({ header: { kid: 'not-a-registered-kid' } }), 'unknown-key', /key id \(kid\) is not registered/],
    ['signed by another key', () => mint({ key: stranger.privateKey }), 'bad-signature', /signature does not verify/],
    ['an algorithm other than the key is pinned to', () => mint({ key: edge.privateKey, alg: 'EdDSA' }), 'algorithm-not-allowed', /algorithm is not accepted/],
    ['alg none', async () => `${base64url.encode(JSON.stringify({ alg: 'none', typ: ENROLLMENT_TOKEN_TYPE, kid: jwkThumbprint(ops.publicKey) }))}.${(await mint()).split('.')[1]}.AAAA`, 'algorithm-not-allowed', /algorithm is not accepted/],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      async () => hs256(ops.publicKey.export({ type: 'spki', format: 'pem' }) as Buffer, { alg: 'HS256', typ: ENROLLMENT_TOKEN_TYPE, kid: jwkThumbprint(ops.publicKey) }, { iss: 'ops', sub: 'x', aud: AUDIENCE, iat: t, exp: t + 60, jti: 'abcdefghijklmnopqrstuv' }),
      'algorithm-not-allowed',
      /algorithm is not accepted/,
    ],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await mint()).split('.');
        const p = base64url.encode(JSON.stringify({ iss: 'ops', sub: 'www.example.com', aud: AUDIENCE, iat: t, exp: t + 300, jti: 'abcdefghijklmnopqrstuv', sans: ['evil.example'] }));
        return `${h}.${p}.${s}`;
      },
      'bad-signature',
      /signature does not verify/,
    ],
    ['a lifetime above the maximum', () => mint({ claims: { exp: t + MAX_TTL + 120 } }), 'lifetime-too-long', /longer than the 600 s allowed/],
    ['no jti', () => mint({ claims: { jti: undefined } }), 'missing-claim', /no jti claim/],
    ['a guessable jti', () => mint({ claims: { jti: 'abc' } }), 'bad-claim', /jti claim is invalid \(jti must be at least 16/],
    ['no exp', () => mint({ claims: { exp: undefined } }), 'missing-claim', /no exp claim/],
    ['another typ', () => mint({ header: { typ: 'JWT' } }), 'wrong-type', /header typ/],
    ['a SAN that is no name', () => mint({ claims: { sans: ['www.example.com', 'not a name'] } }), 'bad-claim', /sans\[1\] is not a valid name/],
    ['a control character in the subject', () => mint({ claims: { subject: [{ type: 'CN', value: 'a\u0000b' }] } }), 'bad-claim', /subject/],
  ];

  it.each(cases)('fail/%s → 401 naming why, never quoting the token', async (_n, make, reason, message) => {
    const token = await make();
    const r = await app.whoami(bearer(token));
    expect({ status: r.status, code: r.body.code, reason: r.body.details?.reason }).toEqual({ status: 401, code: 'UNAUTHORIZED', reason });
    expect(r.body.message).toMatch(message);
    for (const part of token.split('.').filter((p) => p.length > 8)) expect(r.text).not.toContain(part);
  });

  it('fail/a Bearer credential that is not a JWT, or one from an issuer no method accepts', async () => {
    const notJwt = await app.whoami({ authorization: 'Bearer sgr_not-a-jwt' });
    expect({ status: notJwt.status, reason: notJwt.body.details.reason }).toEqual({ status: 401, reason: 'malformed' });
    const foreign = await mint({ header: { typ: 'JWT' }, claims: { iss: 'https://idp.example.com' } });
    const r = await app.whoami(bearer(foreign));
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('no authentication method accepts tokens from issuer "https://idp.example.com"');
  });

  it('never logs the token', async () => {
    const token = await mint({ claims: { exp: now() - 100, iat: now() - 200, nbf: undefined } });
    await app.whoami(bearer(token));
    expect(app.logger.lines.join('\n')).not.toContain(token.split('.')[2]);
  });
});
