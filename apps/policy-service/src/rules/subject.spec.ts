import { type Name, type San } from '@signet/contracts';
import { policyFrom, ruleContext, shippedPolicy, ANYONE, withNamesFromRequest } from '../testing/fixtures';
import { buildSubject, checkSubject } from './subject';

// ClientAuth ships building its names from the identity; these rules judge a requested subject and SANs.
const shipped = withNamesFromRequest(shippedPolicy(), 'ClientAuth');
const fixed = policyFrom({
  templates: {
    Device: {
      ...ANYONE,
      keys: [{ algorithm: 'ec', curves: ['P-256'] }],
      subject: { mode: 'fixed', name: [{ type: 'O', value: 'Example Devices' }] },
      san: { dns: { domains: ['example.com'] } },
      validityDays: 30,
    },
    Anonymous: {
      ...ANYONE,
      keys: [{ algorithm: 'ec', curves: ['P-256'] }],
      subject: { mode: 'fixed', name: [] },
      san: { dns: { domains: ['example.com'] } },
      validityDays: 30,
    },
  },
});

describe('rules subject.* (mode request)', () => {
  it.each<[string, string, Name, San[]]>([
    ['ok/ClientAuth CN only', 'ClientAuth', [{ type: 'CN', value: 'Alice' }], []],
    ['ok/ClientAuth all allowed types, OU repeated', 'ClientAuth', [
      { type: 'CN', value: 'Alice' }, { type: 'O', value: 'Example' }, { type: 'OU', value: 'A' }, { type: 'OU', value: 'B' }, { type: 'E', value: 'alice@example.com' },
    ], []],
    ['ok/type aliases and OIDs are canonicalised', 'ClientAuth', [{ type: '2.5.4.3', value: 'Alice' }, { type: 'emailAddress', value: 'alice@example.org' }], []],
    ['ok/CodeSigning CN and O', 'CodeSigning', [{ type: 'CN', value: 'Build' }, { type: 'O', value: 'Example' }, { type: 'C', value: 'DE' }], []],
  ])('%s', (_n, template, subject, sans) => {
    expect(checkSubject(ruleContext(shipped, template, { subject, sans }))).toEqual([]);
  });

  it.each<[string, string, Name, string, string, string]>([
    ['fail/attribute not allowed', 'ClientAuth', [{ type: 'CN', value: 'Alice' }, { type: 'L', value: 'Berlin' }], 'subject.attribute', 'subject.L', 'Berlin'],
    ['fail/unknown attribute type', 'ClientAuth', [{ type: 'CN', value: 'Alice' }, { type: 'Nick', value: 'al' }], 'subject.attribute', 'subject.Nick', 'al'],
    ['fail/CN missing', 'ClientAuth', [{ type: 'O', value: 'Example' }], 'subject.required', 'subject.CN', ''],
    ['fail/O missing for CodeSigning', 'CodeSigning', [{ type: 'CN', value: 'Build' }], 'subject.required', 'subject.O', ''],
    ['fail/CN twice', 'ClientAuth', [{ type: 'CN', value: 'Alice' }, { type: 'CN', value: 'Admin' }], 'subject.repeated', 'subject.CN', 'Admin'],
    ['fail/empty CN', 'ClientAuth', [{ type: 'CN', value: '  ' }], 'subject.value', 'subject.CN', '  '],
    ['fail/CN longer than 64', 'ClientAuth', [{ type: 'CN', value: 'x'.repeat(65) }], 'subject.length', 'subject.CN', 'x'.repeat(65)],
    ['fail/country not ISO 3166', 'CodeSigning', [{ type: 'CN', value: 'B' }, { type: 'O', value: 'E' }, { type: 'C', value: 'Germany' }], 'subject.length', 'subject.C', 'Germany'],
    ['fail/country in lower case', 'CodeSigning', [{ type: 'CN', value: 'B' }, { type: 'O', value: 'E' }, { type: 'C', value: 'de' }], 'subject.value', 'subject.C', 'de'],
    ['fail/E outside the email domains', 'ClientAuth', [{ type: 'CN', value: 'Alice' }, { type: 'E', value: 'alice@evil.test' }], 'subject.email', 'subject.E', 'alice@evil.test'],
    ['fail/E not a mailbox', 'ClientAuth', [{ type: 'CN', value: 'Alice' }, { type: 'E', value: 'alice' }], 'subject.email', 'subject.E', 'alice'],
  ])('%s', (_n, template, subject, rule, field, value) => {
    expect(checkSubject(ruleContext(shipped, template, { subject, sans: [] }))[0]).toMatchObject({ rule, field, value });
  });

  it('fail/empty subject and no SAN', () => {
    const anyName = policyFrom({
      templates: { T: { ...ANYONE, keys: [{ algorithm: 'ec', curves: ['P-256'] }], subject: { mode: 'request', allowed: ['CN'] }, validityDays: 1 } },
    });
    expect(checkSubject(ruleContext(anyName, 'T', { subject: [], sans: [] }))).toEqual([
      expect.objectContaining({ rule: 'subject.empty', field: 'subject' }),
    ]);
  });
});

describe('the subject the certificate gets', () => {
  const dns = (...names: string[]): San[] => names.map((value) => ({ type: 'dns', value }));

  it.each<[string, Name, San[], Name]>([
    ['ok/the CSR CN when it is one of the names', [{ type: 'CN', value: 'API.example.com' }], dns('www.example.com', 'api.example.com'), [{ type: 'CN', value: 'api.example.com' }]],
    ['ok/the first name when the CN is not one of them', [{ type: 'CN', value: 'evil.test' }], dns('www.example.com', 'api.example.com'), [{ type: 'CN', value: 'www.example.com' }]],
    ['ok/the first name when there is no CN', [{ type: 'O', value: 'Example' }], dns('www.example.com'), [{ type: 'CN', value: 'www.example.com' }]],
    ['ok/skips names that fail their rule', [], dns('evil.test', 'b.example.com'), [{ type: 'CN', value: 'b.example.com' }]],
    ['ok/skips names too long for a CN', [], dns(`${'a'.repeat(60)}.example.com`, 'short.example.com'), [{ type: 'CN', value: 'short.example.com' }]],
    ['ok/empty when no name fits a CN', [], dns(`${'a'.repeat(60)}.example.com`), []],
  ])('cn-from-san %s', (_n, subject, sans, expected) => {
    expect(buildSubject(ruleContext(shipped, 'WebServer', { subject, sans }))).toEqual(expected);
  });

  it('request: canonical types, request order', () => {
    const subject = [{ type: '2.5.4.3', value: 'Alice' }, { type: 'ou', value: 'B' }, { type: 'emailaddress', value: 'a@example.com' }];
    expect(buildSubject(ruleContext(shipped, 'ClientAuth', { subject }))).toEqual([
      { type: 'CN', value: 'Alice' },
      { type: 'OU', value: 'B' },
      { type: 'E', value: 'a@example.com' },
    ]);
  });

  it('fixed: the configured name, whatever the CSR says', () => {
    expect(buildSubject(ruleContext(fixed, 'Device', { subject: [{ type: 'CN', value: 'me' }] }))).toEqual([{ type: 'O', value: 'Example Devices' }]);
    expect(buildSubject(ruleContext(fixed, 'Anonymous', { subject: [{ type: 'CN', value: 'me' }] }))).toEqual([]);
  });

  it('ok/fixed empty subject passes when a SAN carries the identity', () => {
    expect(checkSubject(ruleContext(fixed, 'Anonymous', { sans: dns('a.example.com') }))).toEqual([]);
  });
});
