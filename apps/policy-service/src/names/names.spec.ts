import { dnsNamePermitted, isAtOrUnder, parseDnsName } from './dns';
import { ipInRanges, parseCidr, parseIp } from './ip';
import { parseEmail, parseUpn } from './mailbox';
import { parseUri } from './uri';

describe('parseDnsName', () => {
  it.each([
    ['ok/plain', 'www.example.com', {}, 'www.example.com'],
    ['ok/lower-cased', 'WWW.Example.COM', {}, 'www.example.com'],
    ['ok/leading digit (RFC 1123)', '3com.example.com', {}, '3com.example.com'],
    ['ok/A-label', 'xn--bcher-kva.example', {}, 'xn--bcher-kva.example'],
    ['ok/wildcard when asked', '*.example.com', { wildcard: true }, '*.example.com'],
    ['ok/single label with minLabels 1', 'test', { minLabels: 1 }, 'test'],
  ])('%s', (_n, input, opts, name) => {
    expect(parseDnsName(input, opts)).toEqual({ ok: true, name, wildcard: name.startsWith('*.') });
  });

  it.each([
    ['fail/empty', '', {}, '1 to 253'],
    ['fail/too long', `${'a'.repeat(63)}.`.repeat(4) + 'com', {}, '1 to 253'],
    ['fail/trailing dot', 'www.example.com.', {}, 'end with a dot'],
    ['fail/single label', 'localhost', {}, 'at least 2 labels'],
    ['fail/wildcard not asked', '*.example.com', {}, 'wildcard'],
    ['fail/wildcard over a TLD', '*.com', { wildcard: true }, 'after the wildcard'],
    ['fail/partial wildcard', 'w*.example.com', { wildcard: true }, 'whole leftmost label'],
    ['fail/inner wildcard', 'www.*.example.com', { wildcard: true }, 'whole leftmost label'],
    ['fail/underscore', 'a_b.example.com', {}, 'invalid label'],
    ['fail/leading hyphen', '-a.example.com', {}, 'invalid label'],
    ['fail/empty label', 'a..example.com', {}, 'invalid label'],
    ['fail/label of 64', `${'a'.repeat(64)}.example.com`, {}, 'invalid label'],
    ['fail/non-ASCII', 'bücher.example', {}, 'non-ASCII'],
    ['fail/IPv4 as a name', '10.0.0.1', {}, 'all-numeric'],
    ['fail/space', 'www example.com', {}, 'invalid label'],
  ])('%s', (_n, input, opts, reason) => {
    const r = parseDnsName(input, opts);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it.each([
    ['ok/equal', 'example.com', 'example.com', true],
    ['ok/below', 'a.b.example.com', 'example.com', true],
    ['fail/suffix but not a label boundary', 'badexample.com', 'example.com', false],
    ['fail/parent of the domain', 'example.com', 'www.example.com', false],
  ])('isAtOrUnder %s', (_n, name, domain, expected) => {
    expect(isAtOrUnder(name, domain)).toBe(expected);
  });

  it.each([
    ['ok/under a domain', 'www.example.com', false, ['example.com'], [], true],
    ['ok/exact name', 'host.other.test', false, ['example.com'], ['host.other.test'], true],
    ['ok/wildcard whose base is the domain', '*.example.com', true, ['example.com'], [], true],
    ['ok/listed wildcard', '*.other.test', true, [], ['*.other.test'], true],
    ['fail/wildcard above the domain', '*.example.com', true, ['www.example.com'], [], false],
    ['fail/elsewhere', 'evil.test', false, ['example.com'], ['host.other.test'], false],
  ])('dnsNamePermitted %s', (_n, name, wildcard, domains, names, expected) => {
    expect(dnsNamePermitted(name, wildcard, domains, names)).toBe(expected);
  });
});

describe('parseEmail / parseUpn', () => {
  it.each([
    ['ok/plain', 'alice@example.com', 'alice@example.com'],
    ['ok/domain lower-cased, local kept', 'Alice.B@Example.COM', 'Alice.B@example.com'],
    ['ok/plus tag', 'alice+tls@example.com', 'alice+tls@example.com'],
  ])('email %s', (_n, input, value) => {
    expect(parseEmail(input)).toMatchObject({ ok: true, value });
  });

  it.each([
    ['fail/no at', 'alice.example.com'],
    ['fail/empty local', '@example.com'],
    ['fail/two ats', 'a@b@example.com'],
    ['fail/quoted local', '"a b"@example.com'],
    ['fail/dot at the end of local', 'alice.@example.com'],
    ['fail/non-ASCII local', 'jörg@example.com'],
    ['fail/bad domain', 'alice@example..com'],
  ])('email %s', (_n, input) => {
    expect(parseEmail(input).ok).toBe(false);
  });

  it.each([
    ['ok/plain', 'alice@example.com', true],
    ['ok/unicode user part', 'jörg@example.com', true],
    ['fail/space in user', 'al ice@example.com', false],
    ['fail/no domain', 'alice@', false],
  ])('upn %s', (_n, input, ok) => {
    expect(parseUpn(input).ok).toBe(ok);
  });
});

describe('parseIp / parseCidr / ipInRanges', () => {
  it.each([
    ['ok/IPv4', '192.0.2.10', '192.0.2.10'],
    ['ok/IPv6 canonicalised', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ])('%s', (_n, input, value) => {
    expect(parseIp(input)).toMatchObject({ ok: true, value });
  });

  it.each([
    ['fail/not an address', 'example.com', 'not an IPv4'],
    ['fail/IPv4-mapped IPv6', '::ffff:192.0.2.10', 'IPv4-mapped'],
    ['fail/leading zeros', '192.0.2.010', 'not an IPv4'],
  ])('%s', (_n, input, reason) => {
    const r = parseIp(input);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it.each([
    ['ok/v4', '192.0.2.0/24', true],
    ['ok/v6', '2001:db8::/32', true],
    ['fail/no prefix', '192.0.2.0', false],
    ['fail/prefix too long', '192.0.2.0/33', false],
  ])('cidr %s', (_n, input, ok) => {
    expect(parseCidr(input).ok).toBe(ok);
  });

  const ranges = ['192.0.2.0/24', '2001:db8::/32'];
  it.each([
    ['ok/inside v4', '192.0.2.200', true],
    ['ok/inside v6', '2001:db8:1::5', true],
    ['fail/outside v4', '198.51.100.1', false],
    ['fail/outside v6', '2001:db9::1', false],
  ])('ranges %s', (_n, input, expected) => {
    const ip = parseIp(input);
    if (!ip.ok) throw new Error('fixture');
    expect(ipInRanges(ip, ranges)).toBe(expected);
  });
});

describe('parseUri', () => {
  it.each([
    ['ok/https', 'https://svc.example.com/x', 'https', 'svc.example.com'],
    ['ok/spiffe', 'spiffe://example.org/ns/a', 'spiffe', 'example.org'],
  ])('%s', (_n, input, scheme, host) => {
    expect(parseUri(input)).toMatchObject({ ok: true, scheme, host, value: input });
  });

  it.each([
    ['fail/relative', '/just/a/path'],
    ['fail/user info', 'https://u:p@example.com/'],
    ['fail/space', 'https://example.com/a b'],
    ['fail/IP host', 'https://192.0.2.1/'],
  ])('%s', (_n, input) => {
    expect(parseUri(input).ok).toBe(false);
  });
});
