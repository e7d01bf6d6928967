import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { OidcIssuer } from './oidc-issuer';

describe('OidcIssuer', () => {
  const idp = new OidcIssuer('ES256');
  beforeAll(() => idp.start());
  afterAll(() => idp.stop());

  it('serves discovery and a public-only JWKS over HTTP; its tokens verify against them', async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as any;
    expect(discovery).toMatchObject({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` });
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as any;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const token = await idp.sign({ aud: 'client', sub: 'u1' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: idp.issuer, audience: 'client' });
    expect(payload.sub).toBe('u1');
    expect({ discovery: idp.discoveryFetches, jwks: idp.jwksFetches }).toEqual({ discovery: 1, jwks: 2 });
  });

  it('rotate() signs with a new kid and keeps the old one published unless dropped', async () => {
    const old = idp.kid;
    await idp.rotate();
    expect(decodeProtectedHeader(await idp.sign()).kid).toBe(idp.kid);
    expect(idp.jwks().keys.map((k) => k.kid)).toEqual([old, idp.kid]);
    await idp.rotate({ dropOld: true });
    expect(idp.jwks().keys.map((k) => k.kid)).toEqual([idp.kid]);
  });

  it('claims set to undefined are left out', async () => {
    const token = await idp.sign({ sub: undefined, exp: undefined });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('exp');
  });
});
