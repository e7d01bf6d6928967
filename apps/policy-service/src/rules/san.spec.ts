import { type San } from '@signet/contracts';
import { policyFrom, ruleContext, shippedPolicy, verifyRequest, ANYONE } from '../testing/fixtures';
import { acceptedSans, checkSanCounts, checkSanName, checkSanNames, checkSanTypes } from './san';
import { collectSans, parseSanAttribute } from './san-attribute';

const shipped = shippedPolicy();
const web = shipped.templates.WebServer;
const client = shipped.templates.ClientAuth;
const development = shipped.templates.Development;

/** A template with every SAN type, wildcards and exact names, for the cases the shipped file does not cover. */
const lab = policyFrom({
  templates: {
    Lab: {
      ...ANYONE,
      keys: [{ algorithm: 'ec', curves: ['P-256'] }],
      subject: { mode: 'cn-from-san' },
      san: {
        dns: { domains: ['example.com'], names: ['*.pinned.test', 'exact.other.test', 'intranet', '*.lab'], allowWildcard: true, max: 2 },
        uri: { schemes: ['spiffe'], domains: ['example.org'] },
      },
      validityDays: 7,
    },
  },
});

describe('rules san.<type> (one name)', () => {
  it.each<[string, San, San]>([
    ['ok/dns under a domain', { type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'www.example.com' }],
    ['ok/dns is lower-cased for the certificate', { type: 'dns', value: 'WWW.Example.ORG' }, { type: 'dns', value: 'www.example.org' }],
    ['ok/dns the domain itself', { type: 'dns', value: 'example.net' }, { type: 'dns', value: 'example.net' }],
    ['ok/dns test domain', { type: 'dns', value: 'app.localhost.test' }, { type: 'dns', value: 'app.localhost.test' }],
    ['ok/ip in a documentation range', { type: 'ip', value: '192.0.2.7' }, { type: 'ip', value: '192.0.2.7' }],
    ['ok/ipv6 canonicalised', { type: 'ip', value: '2001:0db8::0001' }, { type: 'ip', value: '2001:db8::1' }],
  ])('WebServer %s', (_n, san, out) => {
    expect(checkSanName(san, web, 'WebServer')).toEqual({ ok: true, san: out });
  });

  it.each<[string, San, string, string]>([
    ['fail/dns outside the domains', { type: 'dns', value: 'evil.test' }, 'san.dns', 'DNS name evil.test is not under an allowed domain of template WebServer'],
    ['fail/dns suffix trick', { type: 'dns', value: 'badexample.com' }, 'san.dns', 'DNS name badexample.com is not under an allowed domain of template WebServer'],
    ['fail/dns wildcard not allowed', { type: 'dns', value: '*.example.com' }, 'san.dns', 'DNS name *.example.com is a wildcard, which template WebServer does not allow'],
    ['fail/dns syntax', { type: 'dns', value: 'a_b.example.com' }, 'san.dns', 'DNS name a_b.example.com has an invalid label "a_b" (letters, digits and inner hyphens, at most 63)'],
    ['fail/dns IP in disguise', { type: 'dns', value: '192.0.2.1' }, 'san.dns', 'DNS name 192.0.2.1 has an all-numeric top-level label (IP addresses go in an IP SAN)'],
    ['fail/dns single label not listed', { type: 'dns', value: 'localhost' }, 'san.dns', 'DNS name localhost is a single-label name, which template WebServer accepts only when its san.dns.names lists it'],
    ['fail/dns below localhost', { type: 'dns', value: 'app.localhost' }, 'san.dns', 'DNS name app.localhost is not under an allowed domain of template WebServer'],
    ['fail/ip outside the ranges', { type: 'ip', value: '10.0.0.1' }, 'san.ip', 'IP address 10.0.0.1 is not in an allowed range of template WebServer'],
    ['fail/ip loopback not listed', { type: 'ip', value: '127.0.0.1' }, 'san.ip', 'IP address 127.0.0.1 is not in an allowed range of template WebServer'],
    ['fail/ipv6 loopback not listed', { type: 'ip', value: '::1' }, 'san.ip', 'IP address ::1 is not in an allowed range of template WebServer'],
    ['fail/ip syntax', { type: 'ip', value: '10.0.0' }, 'san.ip', 'IP address 10.0.0 is not an IPv4 or IPv6 address'],
    ['fail/email not accepted', { type: 'email', value: 'a@example.com' }, 'san.email', 'email addresses are not allowed by template WebServer (allowed: dns, ip)'],
  ])('WebServer %s', (_n, san, rule, message) => {
    expect(checkSanName(san, web, 'WebServer')).toEqual({ ok: false, denial: { rule, field: `subjectAltName.${san.type}`, value: san.value, message } });
  });

  it.each<[string, San, boolean]>([
    ['ok/email under a domain', { type: 'email', value: 'alice@example.com' }, true],
    ['ok/email under a subdomain', { type: 'email', value: 'alice@mail.example.org' }, true],
    ['ok/upn', { type: 'upn', value: 'alice@example.net' }, true],
    ['fail/email elsewhere', { type: 'email', value: 'alice@evil.test' }, false],
    ['fail/upn elsewhere', { type: 'upn', value: 'alice@evil.test' }, false],
    ['fail/dns not accepted', { type: 'dns', value: 'www.example.com' }, false],
  ])('ClientAuth %s', (_n, san, ok) => {
    expect(checkSanName(san, client, 'ClientAuth').ok).toBe(ok);
  });

  it.each<[string, San, boolean]>([
    ['ok/wildcard allowed', { type: 'dns', value: '*.example.com' }, true],
    ['ok/listed wildcard outside the domains', { type: 'dns', value: '*.pinned.test' }, true],
    ['ok/exact name', { type: 'dns', value: 'exact.other.test' }, true],
    ['ok/spiffe uri', { type: 'uri', value: 'spiffe://example.org/ns/web' }, true],
    ['ok/listed single label', { type: 'dns', value: 'intranet' }, true],
    ['ok/listed single label without case', { type: 'dns', value: 'InTrAnEt' }, true],
    ['fail/name below an exact name', { type: 'dns', value: 'a.exact.other.test' }, false],
    ['fail/single label not listed', { type: 'dns', value: 'other' }, false],
    ['fail/listed wildcard over one label', { type: 'dns', value: '*.lab' }, false],
    ['fail/uri scheme', { type: 'uri', value: 'https://example.org/' }, false],
    ['fail/uri host', { type: 'uri', value: 'spiffe://evil.test/x' }, false],
  ])('Lab %s', (_n, san, ok) => {
    expect(checkSanName(san, lab.templates.Lab, 'Lab').ok).toBe(ok);
  });

  it.each<[string, San, San]>([
    ['ok/localhost, listed in names', { type: 'dns', value: 'localhost' }, { type: 'dns', value: 'localhost' }],
    ['ok/localhost lower-cased', { type: 'dns', value: 'LocalHost' }, { type: 'dns', value: 'localhost' }],
    ['ok/a name below localhost', { type: 'dns', value: 'app.localhost' }, { type: 'dns', value: 'app.localhost' }],
    ['ok/ipv4 loopback', { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '127.0.0.1' }],
    ['ok/another ipv4 loopback', { type: 'ip', value: '127.0.1.1' }, { type: 'ip', value: '127.0.1.1' }],
    ['ok/ipv6 loopback', { type: 'ip', value: '0:0:0:0:0:0:0:1' }, { type: 'ip', value: '::1' }],
  ])('Development %s', (_n, san, out) => {
    expect(checkSanName(san, development, 'Development')).toEqual({ ok: true, san: out });
  });

  it.each<[string, San, string]>([
    ['fail/another single label', { type: 'dns', value: 'intranet' }, 'DNS name intranet is a single-label name, which template Development accepts only when its san.dns.names lists it'],
    ['fail/a wildcard below localhost', { type: 'dns', value: '*.localhost' }, 'DNS name *.localhost must have at least 2 labels after the wildcard'],
    ['fail/a public name', { type: 'dns', value: 'www.example.com' }, 'DNS name www.example.com is not under an allowed domain of template Development'],
    ['fail/localhost with a trailing dot', { type: 'dns', value: 'localhost.' }, 'DNS name localhost. must not end with a dot'],
    ['fail/a non-loopback address', { type: 'ip', value: '192.0.2.1' }, 'IP address 192.0.2.1 is not in an allowed range of template Development'],
    ['fail/ipv4 loopback mapped into ipv6', { type: 'ip', value: '::ffff:127.0.0.1' }, 'IP address ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address (use the IPv4 form)'],
  ])('Development %s', (_n, san, message) => {
    expect(checkSanName(san, development, 'Development')).toEqual({ ok: false, denial: { rule: `san.${san.type}`, field: `subjectAltName.${san.type}`, value: san.value, message } });
  });
});

describe('rules san.type, san.required, san.count', () => {
  it('ok/types the template accepts', () => {
    expect(checkSanTypes(ruleContext(shipped, 'WebServer', { sans: [{ type: 'dns', value: 'a.example.com' }, { type: 'ip', value: '192.0.2.1' }] }))).toEqual([]);
  });

  it('fail/one denial per refused type', () => {
    const sans: San[] = [
      { type: 'email', value: 'a@example.com' },
      { type: 'email', value: 'b@example.com' },
      { type: 'uri', value: 'https://example.com/' },
    ];
    expect(checkSanTypes(ruleContext(shipped, 'WebServer', { sans })).map((d) => [d.rule, d.field, d.value])).toEqual([
      ['san.type', 'subjectAltName.email', 'a@example.com'],
      ['san.type', 'subjectAltName.uri', 'https://example.com/'],
    ]);
  });

  it('fail/checkSanNames reports every bad name, not the refused types', () => {
    const sans: San[] = [
      { type: 'dns', value: 'ok.example.com' },
      { type: 'dns', value: 'evil.test' },
      { type: 'dns', value: 'worse.test' },
      { type: 'email', value: 'x@evil.test' },
    ];
    expect(checkSanNames(ruleContext(shipped, 'WebServer', { sans })).map((d) => d.value)).toEqual(['evil.test', 'worse.test']);
  });

  it.each<[string, string, San[], string[]]>([
    ['ok/one DNS name', 'WebServer', [{ type: 'dns', value: 'a.example.com' }], []],
    ['ok/ClientAuth needs none', 'ClientAuth', [], []],
    ['fail/WebServer without names', 'WebServer', [], ['san.required subjectAltName.dns 0']],
    ['fail/WebServer with only an IP (min 1 DNS)', 'WebServer', [{ type: 'ip', value: '192.0.2.1' }], ['san.required subjectAltName.dns 0']],
    ['ok/a bad name still counts (san.dns reports it, once)', 'WebServer', [{ type: 'dns', value: 'evil.test' }], []],
  ])('%s', (_n, template, sans, expected) => {
    expect(checkSanCounts(ruleContext(shipped, template, { sans })).map((d) => `${d.rule} ${d.field} ${d.value}`)).toEqual(expected);
  });

  it('fail/more than max after folding duplicates', () => {
    const sans: San[] = ['a', 'b', 'c', 'A'].map((h) => ({ type: 'dns', value: `${h}.example.com` }));
    expect(checkSanCounts(ruleContext(lab, 'Lab', { sans }))).toEqual([
      expect.objectContaining({ rule: 'san.count', field: 'subjectAltName.dns', value: '3' }),
    ]);
  });

  it('ok/duplicates folded, order kept, certificate form', () => {
    const sans = [
      { type: 'dns', value: 'B.example.com', source: 'csr' },
      { type: 'dns', value: 'evil.test', source: 'csr' },
      { type: 'dns', value: 'b.example.com', source: 'csr' },
      { type: 'ip', value: '2001:db8:0::1', source: 'csr' },
      { type: 'dns', value: 'a.example.com', source: 'attribute' },
    ] as const;
    expect(acceptedSans([...sans], web, 'WebServer')).toEqual([
      { type: 'dns', value: 'b.example.com' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'dns', value: 'a.example.com' },
    ]);
  });
});

describe('the san request attribute (EDITF_ATTRIBUTESUBJECTALTNAME2)', () => {
  it.each<[string, string, San[]]>([
    ['ok/one name', 'dns=a.example.com', [{ type: 'dns', value: 'a.example.com' }]],
    [
      'ok/AD CS keywords',
      'dns=a.example.com&email=x@example.com&upn=u@example.com&ipaddress=192.0.2.1&url=https://example.com/a?b=c',
      [
        { type: 'dns', value: 'a.example.com' },
        { type: 'email', value: 'x@example.com' },
        { type: 'upn', value: 'u@example.com' },
        { type: 'ip', value: '192.0.2.1' },
        { type: 'uri', value: 'https://example.com/a?b=c' },
      ],
    ],
    ['ok/keywords without case, blanks trimmed', ' DNS = a.example.com && Dns=b.example.com', [{ type: 'dns', value: 'a.example.com' }, { type: 'dns', value: 'b.example.com' }]],
  ])('%s', (_n, raw, sans) => {
    expect(parseSanAttribute(raw)).toEqual({ ok: true, sans });
  });

  it.each([
    ['fail/no equals sign', 'a.example.com', 'is not type=value'],
    ['fail/unsupported type', 'guid=f7c3ac41b8e8', 'unsupported name type "guid"'],
    ['fail/directory name', 'dn=CN=x', 'unsupported name type "dn"'],
    ['fail/empty value', 'dns=', 'has an empty value'],
  ])('%s', (_n, raw, reason) => {
    const r = parseSanAttribute(raw);
    expect(!r.ok && r.reason).toContain(reason);
  });

  const sanAllowed = policyFrom({ ...structuredClone(shipped), allowSanAttribute: true } as never);
  const withAttr = (san: string) => verifyRequest({ attributes: { certificatetemplate: 'WebServer', san } });

  it('ok/ignored, with a note, when the CA does not honour it', () => {
    expect(collectSans(withAttr('dns=evil.test'), shipped)).toEqual({
      sans: [{ type: 'dns', value: 'www.example.com', source: 'csr' }],
      denials: [],
      notes: ['the san request attribute was ignored (this CA does not honour it)'],
    });
  });

  it('ok/appended after the CSR names when honoured', () => {
    expect(collectSans(withAttr('dns=api.example.com'), sanAllowed).sans).toEqual([
      { type: 'dns', value: 'www.example.com', source: 'csr' },
      { type: 'dns', value: 'api.example.com', source: 'attribute' },
    ]);
  });

  it('fail/malformed attribute when honoured', () => {
    expect(collectSans(withAttr('dns=a.example.com&x500=foo'), sanAllowed).denials).toEqual([
      { rule: 'san.attribute', field: 'san', value: 'x500=foo', message: expect.stringContaining('unsupported name type "x500"') },
    ]);
  });
});
