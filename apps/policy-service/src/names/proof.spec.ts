import { type ProvenName, type San } from '@signet/contracts';
import { covers, nameInSubjectValue } from './proof';

describe('covers: a proven name and a requested one (ADR 0030)', () => {
  it.each<[string, ProvenName, San, boolean]>([
    ['ok/dns equal without case', { type: 'dns', value: 'WWW.example.com' }, { type: 'dns', value: 'www.EXAMPLE.com' }, true],
    ['ok/dns wildcard covers one label', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: 'api.example.com' }, true],
    ['ok/dns wildcard covers itself', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: '*.EXAMPLE.com' }, true],
    ['fail/dns wildcard does not cover its base', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: 'example.com' }, false],
    ['fail/dns wildcard does not cover two labels', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: 'a.b.example.com' }, false],
    ['fail/dns wildcard does not cover a deeper wildcard', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: '*.a.example.com' }, false],
    ['fail/dns a domain does not cover names below it', { type: 'dns', value: 'example.com' }, { type: 'dns', value: 'www.example.com' }, false],
    ['fail/dns suffix trick', { type: 'dns', value: '*.example.com' }, { type: 'dns', value: 'www.badexample.com' }, false],
    ['ok/ip canonical', { type: 'ip', value: '2001:db8:0:0::1' }, { type: 'ip', value: '2001:DB8::1' }, true],
    ['fail/ip other', { type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '192.0.2.10' }, false],
    ['ok/email domain without case', { type: 'email', value: 'alice@Example.com' }, { type: 'email', value: 'alice@example.COM' }, true],
    ['fail/email local part with case', { type: 'email', value: 'Alice@example.com' }, { type: 'email', value: 'alice@example.com' }, false],
    ['ok/upn without case', { type: 'upn', value: 'Alice@CORP.example.com' }, { type: 'upn', value: 'alice@corp.example.com' }, true],
    ['ok/uri as written', { type: 'uri', value: 'spiffe://example.org/a' }, { type: 'uri', value: 'spiffe://example.org/a' }, true],
    ['fail/uri any difference', { type: 'uri', value: 'spiffe://example.org/a' }, { type: 'uri', value: 'spiffe://EXAMPLE.org/a' }, false],
    ['fail/another type', { type: 'email', value: 'alice@example.com' }, { type: 'upn', value: 'alice@example.com' }, false],
    ['fail/a proven name that does not parse covers nothing', { type: 'dns', value: 'exa mple.com' }, { type: 'dns', value: 'exa mple.com' }, false],
  ])('%s', (_n, proven, asked, expected) => {
    expect(covers(proven, asked)).toBe(expected);
  });
});

describe('nameInSubjectValue: which subject values are names', () => {
  it.each<[string, string, San | undefined]>([
    ['ok/a host', 'www.example.com', { type: 'dns', value: 'www.example.com' }],
    ['ok/a wildcard', '*.example.com', { type: 'dns', value: '*.example.com' }],
    ['ok/an address', '192.0.2.1', { type: 'ip', value: '192.0.2.1' }],
    ['ok/a mailbox', 'alice@example.com', { type: 'email', value: 'alice@example.com' }],
    ['fail/a word', 'Alice', undefined],
    ['fail/a single label', 'localhost', undefined],
    ['fail/words with spaces', 'Release Build', undefined],
  ])('%s', (_n, value, expected) => {
    expect(nameInSubjectValue(value)).toEqual(expected);
  });
});
