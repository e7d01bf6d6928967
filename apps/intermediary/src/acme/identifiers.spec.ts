import { canonicalIp, challengeTypesFor, csrMatchesOrder, parseIdentifiers } from './identifiers';
import { AcmeProblem } from './problem';

describe('parseIdentifiers (RFC 8555 7.4, RFC 8738)', () => {
  it('ok/dns in lower case without the trailing dot, ip in one spelling, duplicates dropped', () => {
    expect(
      parseIdentifiers(
        [
          { type: 'dns', value: 'WWW.Example.com.' },
          { type: 'dns', value: 'www.example.com' },
          { type: 'dns', value: '*.example.org' },
          { type: 'ip', value: '2001:DB8:0:0::1' },
          { type: 'ip', value: '192.0.2.1' },
        ],
        10,
      ),
    ).toEqual([
      { type: 'dns', value: 'www.example.com' },
      { type: 'dns', value: '*.example.org' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'ip', value: '192.0.2.1' },
    ]);
  });

  it.each([
    ['fail/not an array', 'x', 'malformed'],
    ['fail/empty', [], 'malformed'],
    ['fail/too many', [{ type: 'dns', value: 'a.example.com' }, { type: 'dns', value: 'b.example.com' }], 'rejectedIdentifier'],
    ['fail/no value', [{ type: 'dns' }], 'malformed'],
    ['fail/an email identifier', [{ type: 'email', value: 'a@example.com' }], 'unsupportedIdentifier'],
    ['fail/a single-label name', [{ type: 'dns', value: 'localhost' }], 'rejectedIdentifier'],
    ['fail/an address as a dns name', [{ type: 'dns', value: '192.0.2.1' }], 'rejectedIdentifier'],
    ['fail/a wildcard not left-most', [{ type: 'dns', value: 'a.*.example.com' }], 'rejectedIdentifier'],
    ['fail/a bad ip', [{ type: 'ip', value: '300.1.1.1' }], 'malformed'],
  ])('%s', (_n, raw, type) => {
    let caught: unknown;
    try {
      parseIdentifiers(raw, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AcmeProblem);
    expect((caught as AcmeProblem).type).toBe(type);
  });

  it('fail/several bad identifiers: one problem with a subproblem each, naming its identifier', () => {
    try {
      parseIdentifiers([{ type: 'dns', value: 'localhost' }, { type: 'uri', value: 'x' }, { type: 'dns', value: 'ok.example.com' }], 10);
      throw new Error('no problem');
    } catch (e) {
      const doc = (e as AcmeProblem).toDocument();
      expect(doc.type).toBe('urn:ietf:params:acme:error:rejectedIdentifier');
      expect(doc.subproblems?.map((s) => [s.type.split(':').pop(), s.identifier?.value])).toEqual([
        ['rejectedIdentifier', 'localhost'],
        ['unsupportedIdentifier', 'x'],
      ]);
    }
  });
});

describe('challengeTypesFor', () => {
  it.each([
    ['ok/a dns name: all three', { type: 'dns' as const, value: 'www.example.com' }, { wildcard: false, value: 'www.example.com', types: ['http-01', 'dns-01', 'tls-alpn-01'] }],
    ['ok/a wildcard: dns-01 only, for the base name', { type: 'dns' as const, value: '*.example.com' }, { wildcard: true, value: 'example.com', types: ['dns-01'] }],
    ['ok/an ip: no dns-01', { type: 'ip' as const, value: '192.0.2.1' }, { wildcard: false, value: '192.0.2.1', types: ['http-01', 'tls-alpn-01'] }],
  ])('%s', (_n, identifier, want) => {
    expect(challengeTypesFor(identifier)).toEqual(want);
  });
});

describe('csrMatchesOrder: exactly the order identifiers', () => {
  const order = [
    { type: 'dns' as const, value: 'www.example.com' },
    { type: 'ip' as const, value: '2001:db8::1' },
  ];
  const sans = [
    { type: 'dns' as const, value: 'WWW.example.com' },
    { type: 'ip' as const, value: '2001:db8:0::1' },
  ];
  it.each([
    ['ok/the same names, other spellings', [], sans, undefined],
    ['ok/a CN that is one of them', [{ type: 'CN', value: 'www.example.com' }], sans, undefined],
    ['fail/a name outside the order', [], [...sans, { type: 'dns' as const, value: 'evil.example.com' }], /outside the order: dns:evil.example.com/],
    ['fail/a CN outside the order', [{ type: 'CN', value: 'other.example.com' }], sans, /common name/],
    ['fail/an identifier missing', [], sans.slice(0, 1), /lacks identifiers of the order: ip:2001:db8::1/],
    ['fail/an email SAN', [], [...sans, { type: 'email' as const, value: 'a@example.com' }], /email/],
  ])('%s', (_n, subject, subjectAltNames, want) => {
    const r = csrMatchesOrder({ subject, subjectAltNames }, order);
    if (want === undefined) expect(r).toBeUndefined();
    else expect(r).toMatch(want);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8::0:1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['example.com', undefined],
  ])('%s → %s', (input, want) => {
    expect(canonicalIp(input)).toBe(want);
  });
});
