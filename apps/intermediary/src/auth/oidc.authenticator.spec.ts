import { OidcIssuer, ScratchDir } from '@signet/testing';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { base64url, exportJWK, SignJWT } from 'jose';
import { bearer, startAuthApp, type AuthApp } from '../../test/auth-app';
import { loadTokenAuthConfig } from './tokens.config';
import { tokenAuthenticators } from './tokens.providers';

const CLIENT_ID = 'signet-enroll';
const now = () => Math.floor(Date.now() / 1000);

/** The intermediary's token methods with OIDC for `idp`: discovery unless `env` says otherwise. */
async function appFor(idp: OidcIssuer, env: Record<string, string> = {}): Promise<AuthApp> {
  const config = loadTokenAuthConfig({ SIGNET_OIDC_ISSUER: idp.issuer, SIGNET_OIDC_CLIENT_ID: CLIENT_ID, SIGNET_OIDC_UPN_CLAIM: 'upn', SIGNET_OIDC_JWKS_COOLDOWN_SECONDS: '0', ...env });
  return startAuthApp(tokenAuthenticators(config));
}

describe('OIDC ID tokens over HTTP, from a local issuer', () => {
  const idp = new OidcIssuer('RS256');
  let app: AuthApp;

  beforeAll(async () => {
    await idp.start();
    app = await appFor(idp);
  });
  afterAll(async () => {
    await app.close();
    await idp.stop();
  });

  it('ok/a valid ID token is an identity: iss#sub, the verified email, the UPN, groups, CN from name', async () => {
    const token = await idp.sign({ sub: 'u-1001', aud: CLIENT_ID, email: 'Alice@example.com', email_verified: true, upn: 'alice@corp.example.com', groups: ['pki-users', 'staff'], name: 'Alice Example' });
    const r = await app.whoami(bearer(token));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      method: 'oidc',
      principal: `${idp.issuer}#u-1001`,
      names: [
        { type: 'email', value: 'Alice@example.com' },
        { type: 'upn', value: 'alice@corp.example.com' },
      ],
      groups: ['pki-users', 'staff'],
      subject: [{ type: 'CN', value: 'Alice Example' }],
      evidence: { iss: idp.issuer, sub: 'u-1001', kid: idp.kid, exp: expect.stringMatching(/^\d{4}-/) },
    });
    expect(r.body.oneTime).toBeUndefined();
    expect(idp.discoveryFetches).toBe(1);
  });

  it('ok/an unverified email proves no name, and the token still authenticates', async () => {
    for (const email_verified of [false, 'true', undefined]) {
      const r = await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID, email: 'mallory@example.com', email_verified })));
      expect({ status: r.status, names: r.body.names }).toEqual({ status: 200, names: [] });
    }
  });

  it('ok/an audience list that holds the client id, when azp is the client', async () => {
    expect((await app.whoami(bearer(await idp.sign({ aud: [CLIENT_ID, 'other'], azp: CLIENT_ID })))).status).toBe(200);
  });

  it('ok/no Authorization header: anonymous', async () => {
    expect((await app.whoami()).body).toMatchObject({ method: 'anonymous' });
  });

  it('ok/a rotated key (a new kid) is fetched from the key set', async () => {
    const before = idp.jwksFetches;
    await idp.rotate({ dropOld: true });
    const r = await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })));
    expect(r.status).toBe(200);
    expect(r.body.evidence.kid).toBe(idp.kid);
    expect(idp.jwksFetches).toBe(before + 1);
  });

  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const t = now();
  const cases: [string, () => Promise<string>, string, RegExp][] = [
    ['expired', () => idp.sign({ aud: CLIENT_ID, iat: t - 500, exp: t - 100 }), 'expired', /has expired/],
    ['not yet valid', () => idp.sign({ aud: CLIENT_ID, nbf: t + 600 }), 'not-yet-valid', /not valid yet/],
    ['older than the maximum age', () => idp.sign({ aud: CLIENT_ID, iat: t - 3000 }), 'too-old', /issued more than 600 s ago/],
    ['wrong audience', () => idp.sign({ aud: 'another-client' }), 'wrong-audience', /another audience/],
    ['several audiences and azp another client', () => idp.sign({ aud: [CLIENT_ID, 'x'], azp: 'x' }), 'wrong-audience', /azp/],
    ['an unknown kid', () => idp.sign({ aud: CLIENT_ID }, { header: { kid: 'unknown-kid' } }), 'unknown-key', /key set does not hold/],
    ['signed by a key the issuer never published', () => idp.sign({ aud: CLIENT_ID }, { key: other.privateKey as never }), 'bad-signature', /signature does not verify/],
    ['alg none', async () => `${base64url.encode(JSON.stringify({ alg: 'none', kid: idp.kid }))}.${(await idp.sign({ aud: CLIENT_ID })).split('.')[1]}.AAAA`, 'algorithm-not-allowed', /algorithm/],
    ['an unsigned JWT (empty signature)', async () => `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${(await idp.sign({ aud: CLIENT_ID })).split('.')[1]}.`, 'malformed', /not a signed JWT/],
    [
      'HS256 keyed with the published public key (algorithm confusion)',
      async () => {
        const jwk = idp.jwks().keys.find((k) => k.kid === idp.kid)!;
        const h = base64url.encode(JSON.stringify({ alg: 'HS256', kid: idp.kid }));
        const p = (await idp.sign({ aud: CLIENT_ID })).split('.')[1];
        return `${h}.${p}.${base64url.encode(createHmac('sha256', JSON.stringify(jwk)).update(`${h}.${p}`).digest())}`;
      },
      'algorithm-not-allowed',
      /algorithm/,
    ],
    [
      'a tampered payload',
      async () => {
        const [h, p, s] = (await idp.sign({ aud: CLIENT_ID, email: 'a@example.com', email_verified: false })).split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
        return `${h}.${base64url.encode(JSON.stringify({ ...claims, email_verified: true }))}.${s}`;
      },
      'bad-signature',
      /signature does not verify/,
    ],
    ['an access token (typ at+jwt)', () => idp.sign({ aud: CLIENT_ID }, { header: { typ: 'at+jwt' } }), 'wrong-type', /access token/],
    ['no sub', () => idp.sign({ aud: CLIENT_ID, sub: undefined }), 'missing-claim', /no sub claim/],
    ['groups that are not strings', () => idp.sign({ aud: CLIENT_ID, groups: [1, 2] }), 'bad-claim', /groups claim is not a list of strings/],
    ['more than 64 groups', () => idp.sign({ aud: CLIENT_ID, groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }), 'bad-claim', /more than 64 groups/],
  ];

  it.each(cases)('fail/%s → 401 naming why, never quoting the token', async (_n, make, reason, message) => {
    const token = await make();
    const r = await app.whoami(bearer(token));
    expect({ status: r.status, code: r.body.code, reason: r.body.details?.reason }).toEqual({ status: 401, code: 'UNAUTHORIZED', reason });
    expect(r.body.message).toMatch(message);
    for (const part of token.split('.').filter((x) => x.length > 8)) expect(r.text).not.toContain(part);
  });

  it('fail/a token from another issuer → no method accepts it', async () => {
    const rogue = await new OidcIssuer('ES256').start();
    try {
      const r = await app.whoami(bearer(await rogue.sign({ aud: CLIENT_ID })));
      expect(r.status).toBe(401);
      expect(r.body.message).toBe(`no authentication method accepts tokens from issuer "${rogue.issuer}"`);
      expect(rogue.jwksFetches + rogue.discoveryFetches).toBe(0);
    } finally {
      await rogue.stop();
    }
  });
});

describe('OIDC key sources', () => {
  const scratch = new ScratchDir('signet-oidc-');
  afterAll(() => scratch.remove());

  it('ok/a JWKS file: no fetch at all', async () => {
    const idp = await new OidcIssuer('ES256').start();
    const app = await appFor(idp, { SIGNET_OIDC_JWKS_FILE: scratch.write('jwks.json', JSON.stringify(idp.jwks())) });
    try {
      expect((await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })))).status).toBe(200);
      expect(idp.jwksFetches + idp.discoveryFetches).toBe(0);
    } finally {
      await app.close();
      await idp.stop();
    }
  });

  it('ok/a JWKS URI given: no discovery; EdDSA keys', async () => {
    const idp = await new OidcIssuer('EdDSA').start();
    const app = await appFor(idp, { SIGNET_OIDC_JWKS_URI: `${idp.issuer}/jwks` });
    try {
      expect((await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })))).status).toBe(200);
      expect({ jwks: idp.jwksFetches, discovery: idp.discoveryFetches }).toEqual({ jwks: 1, discovery: 0 });
    } finally {
      await app.close();
      await idp.stop();
    }
  });

  it('fail/an algorithm outside SIGNET_OIDC_ALGORITHMS', async () => {
    const idp = await new OidcIssuer('ES256').start();
    const app = await appFor(idp, { SIGNET_OIDC_ALGORITHMS: 'RS256' });
    try {
      const r = await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })));
      expect({ status: r.status, reason: r.body.details.reason }).toEqual({ status: 401, reason: 'algorithm-not-allowed' });
    } finally {
      await app.close();
      await idp.stop();
    }
  });

  it('fail/a discovery document naming another issuer → keys unavailable, a warning names why; once fixed, the next token discovers again', async () => {
    const idp = await new OidcIssuer().start();
    idp.discoveryIssuerOverride = 'https://evil.example.com';
    const app = await appFor(idp);
    try {
      const r = await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })));
      expect({ status: r.status, reason: r.body.details.reason }).toEqual({ status: 401, reason: 'keys-unavailable' });
      expect(idp.jwksFetches).toBe(0);
      expect(app.logger.lines.join('\n')).toContain(`OIDC discovery for ${idp.issuer} failed: discovery document names another issuer`);
      idp.discoveryIssuerOverride = undefined;
      expect((await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })))).status).toBe(200);
      expect(idp.discoveryFetches).toBe(2);
    } finally {
      await app.close();
      await idp.stop();
    }
  });

  it('fail/an issuer that does not answer → keys unavailable (401), not anonymous', async () => {
    const idp = await new OidcIssuer().start();
    const token = await idp.sign({ aud: CLIENT_ID });
    await idp.stop();
    const config = loadTokenAuthConfig({ SIGNET_OIDC_ISSUER: idp.issuer, SIGNET_OIDC_CLIENT_ID: CLIENT_ID, SIGNET_OIDC_JWKS_COOLDOWN_SECONDS: '0' });
    const app = await startAuthApp(tokenAuthenticators(config));
    try {
      const r = await app.whoami(bearer(token));
      expect({ status: r.status, reason: r.body.details.reason }).toEqual({ status: 401, reason: 'keys-unavailable' });
    } finally {
      await app.close();
    }
  });
});

describe('an unreachable key set', () => {
  it('fail/a JWKS URI that refuses connections → 401 keys-unavailable, with a warning that quotes no token', async () => {
    const idp = await new OidcIssuer().start();
    const token = await idp.sign({ aud: CLIENT_ID });
    await idp.stop();
    const app = await appFor(idp, { SIGNET_OIDC_JWKS_URI: `${idp.issuer}/jwks` });
    try {
      const r = await app.whoami(bearer(token));
      expect({ status: r.status, reason: r.body.details.reason, message: r.body.message }).toEqual({ status: 401, reason: 'keys-unavailable', message: "ID token refused: the issuer's key set cannot be fetched now" });
      expect(app.logger.lines.join('\n')).toContain(`the key set of ${idp.issuer} cannot be fetched`);
      expect(app.logger.lines.join('\n')).not.toContain(token.split('.')[2]);
    } finally {
      await app.close();
    }
  });
});

describe('both methods at once', () => {
  it('neither configured: no authenticator', () => {
    expect(tokenAuthenticators(loadTokenAuthConfig({}))).toEqual([]);
  });

  it('each takes its own tokens, whatever order they are asked in', async () => {
    const scratch = new ScratchDir('signet-both-');
    const idp = await new OidcIssuer().start();
    const ops = generateKeyPairSync('ed25519');
    const keys = scratch.write('keys.json', JSON.stringify({ keys: [{ ...(await exportJWK(ops.publicKey)), kid: 'ops' }] }));
    const config = loadTokenAuthConfig({ SIGNET_OIDC_ISSUER: idp.issuer, SIGNET_OIDC_CLIENT_ID: CLIENT_ID, SIGNET_ENROLLMENT_KEYS_FILE: keys, SIGNET_ENROLLMENT_TOKEN_AUDIENCE: 'signet' });
    const authenticators = tokenAuthenticators(config);
    expect(authenticators.map((a) => a.method)).toEqual(['enrollment-token', 'oidc']);
    const app = await startAuthApp([...authenticators].reverse());
    try {
      const t = now();
      const enrollment = await new SignJWT({ sub: 'host-1', jti: 'abcdefghijklmnopqrstuv' })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'signet-enrollment+jwt', kid: 'ops' })
        .setIssuer('ops')
        .setAudience('signet')
        .setIssuedAt(t)
        .setExpirationTime(t + 60)
        .sign(ops.privateKey);
      expect((await app.whoami(bearer(enrollment))).body).toMatchObject({ method: 'enrollment-token', principal: 'ops:host-1' });
      expect((await app.whoami(bearer(await idp.sign({ aud: CLIENT_ID })))).body).toMatchObject({ method: 'oidc' });
      // Each alone answers undefined (here: anonymous) for the other's token: not its kind, not its refusal.
      const [enrollmentOnly, oidcOnly] = [await startAuthApp([authenticators[0]!]), await startAuthApp([authenticators[1]!])];
      try {
        expect((await enrollmentOnly.whoami(bearer(await idp.sign({ aud: CLIENT_ID })))).body).toMatchObject({ method: 'anonymous' });
        expect((await oidcOnly.whoami(bearer(enrollment))).body).toMatchObject({ method: 'anonymous' });
      } finally {
        await enrollmentOnly.close();
        await oidcOnly.close();
      }
    } finally {
      await app.close();
      await idp.stop();
      scratch.remove();
    }
  });
});
