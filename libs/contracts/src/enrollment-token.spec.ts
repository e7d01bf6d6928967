import { enrollmentAlgorithmFor, EnrollmentKeyNameSchema, EnrollmentTokenClaimsSchema, isDnsName, provenNameOf } from './enrollment-token';

describe('provenNameOf: a token SAN entry as a typed name', () => {
  it.each<[string, Parameters<typeof provenNameOf>[0], unknown]>([
    ['ok/a DNS name, lower-cased', 'WWW.Example.com', { type: 'dns', value: 'www.example.com' }],
    ['ok/a wildcard', '*.example.com', { type: 'dns', value: '*.example.com' }],
    ['ok/IPv4', '192.0.2.1', { type: 'ip', value: '192.0.2.1' }],
    ['ok/IPv6', '2001:db8::1', { type: 'ip', value: '2001:db8::1' }],
    ['ok/an email address', 'a@example.com', { type: 'email', value: 'a@example.com' }],
    ['ok/a URI', 'spiffe://example.com/web', { type: 'uri', value: 'spiffe://example.com/web' }],
    ['ok/an explicit UPN', { type: 'upn', value: 'alice@corp.example.com' }, { type: 'upn', value: 'alice@corp.example.com' }],
    ['fail/a space', 'not a name', undefined],
    ['fail/a label starting with a hyphen', '-x.example.com', undefined],
    ['fail/a wildcard that is not the first label', 'www.*.example.com', undefined],
    ['fail/a bare wildcard over a TLD', '*.com', undefined],
    ['fail/an explicit IP that is none', { type: 'ip', value: '999.1.1.1' }, undefined],
    ['fail/an explicit email without @', { type: 'email', value: 'alice' }, undefined],
  ])('%s', (_n, entry, expected) => {
    expect(provenNameOf(entry)).toEqual(expected);
  });

  it('isDnsName refuses a name over 253 characters', () => {
    expect(isDnsName(`${'a'.repeat(60)}.`.repeat(5) + 'com')).toBe(false);
  });
});

describe('enrollmentAlgorithmFor: one algorithm per key', () => {
  it.each([
    [{ asymmetricKeyType: 'ec', namedCurve: 'prime256v1' }, 'ES256'],
    [{ asymmetricKeyType: 'ec', namedCurve: 'secp384r1' }, 'ES384'],
    [{ asymmetricKeyType: 'ed25519' }, 'EdDSA'],
    [{ asymmetricKeyType: 'rsa', modulusLength: 2048 }, 'RS256'],
    [{ asymmetricKeyType: 'rsa', modulusLength: 1024 }, undefined],
    [{ asymmetricKeyType: 'ec', namedCurve: 'secp521r1' }, undefined],
    [{ asymmetricKeyType: 'x25519' }, undefined],
  ])('%j → %s', (key, alg) => {
    expect(enrollmentAlgorithmFor(key)).toBe(alg);
  });
});

describe('enrollment token claims', () => {
  const base = { iss: 'ops', sub: 'www.example.com', jti: 'abcdefghijklmnop', iat: 1, exp: 2 };
  it('ok/the minimum', () => {
    expect(EnrollmentTokenClaimsSchema.parse(base)).toMatchObject(base);
  });
  it.each([
    ['an issuer that looks like a URL', { iss: 'https://idp' }],
    ['a short jti', { jti: 'x' }],
    ['a jti with a space', { jti: 'abcdefgh ijklmnop' }],
    ['an unknown subject attribute', { subject: [{ type: 'XX', value: 'x' }] }],
    ['a SAN of an unknown type', { sans: [{ type: 'x400', value: 'x' }] }],
    ['a control character in sub', { sub: 'a\nb' }],
  ])('fail/%s', (_n, patch) => {
    expect(EnrollmentTokenClaimsSchema.safeParse({ ...base, ...patch }).success).toBe(false);
  });
  it('key names: no colon or slash', () => {
    expect(EnrollmentKeyNameSchema.safeParse('ops-2026').success).toBe(true);
    expect(EnrollmentKeyNameSchema.safeParse('ops:1').success).toBe(false);
    expect(EnrollmentKeyNameSchema.safeParse('a/b').success).toBe(false);
  });
});
