import { PolicyVerifyReplySchema, type Identity, type PolicyVerifyReply, type ProvenName } from '@signet/contracts';
import { OID, decodeSubjectAltName } from '@signet/x509';
import { type PolicyFileInput } from '../config/policy-file.schema';
import { KEYS, policyFrom, verifyRequest, type RequestOptions } from '../testing/fixtures';
import { evaluate } from './engine';

/**
 * Enroll permission, template binding and name sources (ADR 0026, 0030),
 * through the whole engine, on a policy written for them (the shipped
 * defaults have their own spec in policy-file.spec.ts and engine.spec.ts).
 */

type Profile = Omit<PolicyFileInput['templates'][string], 'enroll' | 'names'>;

const server = {
  keys: [{ algorithm: 'ec', curves: ['P-256'] }, { algorithm: 'rsa', minBits: 2048 }],
  subject: { mode: 'cn-from-san' },
  san: { dns: { domains: ['example.com'], allowWildcard: true, min: 1 }, ip: { ranges: ['192.0.2.0/24', '2001:db8::/32'] } },
  validityDays: 90,
  keyUsage: ['digitalSignature'],
  extKeyUsage: ['serverAuth'],
} satisfies Profile;

const user = {
  keys: [{ algorithm: 'ec', curves: ['P-256'] }],
  subject: { mode: 'request', allowed: ['CN', 'O', 'OU', 'E'], required: ['CN'] },
  san: { email: { domains: ['example.com'] }, upn: { domains: ['example.com'] } },
  validityDays: 365,
  keyUsage: ['digitalSignature'],
  extKeyUsage: ['clientAuth'],
} satisfies Profile;

const policy = policyFrom({
  templates: {
    // Open to two methods, one principal, one group, and to anonymous pending; unproven names pend.
    Web: {
      ...server,
      enroll: { methods: ['tls-client-certificate', 'enrollment-token'], principals: ['bus:deployer'], groups: ['web-admins'], anonymous: 'pend' },
      names: { from: 'request', unproven: 'pend' },
    },
    // Client certificates only, unproven names denied.
    WebStrict: { ...server, enroll: { methods: ['tls-client-certificate'] }, names: { from: 'request', unproven: 'deny' } },
    // Built from the identity.
    User: { ...user, enroll: { methods: ['oidc', 'enrollment-token'] }, names: { from: 'identity' } },
    UserStrict: { ...user, enroll: { methods: ['oidc'] }, names: { from: 'identity', requireMatch: true } },
    // Every SAN type and a subject taken from the request, unproven names denied.
    Mixed: {
      keys: [{ algorithm: 'ec', curves: ['P-256'] }],
      subject: { mode: 'request', allowed: ['CN', 'E'] },
      san: {
        email: { domains: ['example.com'] },
        upn: { domains: ['example.com'] },
        uri: { schemes: ['spiffe'], domains: ['example.com'] },
        ip: { ranges: ['192.0.2.0/24'] },
      },
      validityDays: 30,
      extKeyUsage: ['clientAuth'],
      enroll: { methods: ['oidc'] },
      names: { from: 'request', unproven: 'deny' },
    },
    // Development-like: loopback names, anonymous issued at once.
    Lab: {
      ...server,
      san: { dns: { names: ['localhost'] }, ip: { ranges: ['127.0.0.0/8'] } },
      enroll: { anonymous: 'issue' },
      names: { from: 'request', unproven: 'allow' },
    },
  },
});

const identity = (method: Identity['method'], principal: string, names: ProvenName[] = [], extra: Partial<Identity> = {}): Identity => ({
  method,
  principal,
  names,
  groups: [],
  evidence: {},
  ...extra,
});
const dns = (value: string): ProvenName => ({ type: 'dns', value });
const tls = (...names: string[]) => identity('tls-client-certificate', 'CN=web01,serial=0a1b', names.map(dns));
const anonymous = identity('anonymous', 'anonymous');

function verify(template: string, o: RequestOptions): PolicyVerifyReply {
  const reply = evaluate(verifyRequest({ key: KEYS.p256, ...o, attributes: o.attributes ?? { certificatetemplate: template } }), policy);
  expect(PolicyVerifyReplySchema.safeParse(reply).success).toBe(true);
  return reply;
}
const sanOf = (r: PolicyVerifyReply) => {
  const e = r.changes?.extensions?.find((x) => x.oid === OID.subjectAltName);
  return e ? decodeSubjectAltName(Buffer.from(e.value!, 'base64')) : [];
};
const web = (id: Identity, names: string[] = ['www.example.com'], extra: RequestOptions = {}) =>
  verify('Web', { identity: id, subject: [{ type: 'CN', value: names[0] ?? 'x' }], sans: names.map((value) => ({ type: 'dns' as const, value })), ...extra });

describe('enroll.permission: who may enroll (the template ACL)', () => {
  it.each<[string, Identity]>([
    ['ok/a listed method', tls('www.example.com')],
    ['ok/another listed method', identity('enrollment-token', 'tok-7', [dns('www.example.com')])],
    ['ok/a listed principal (method:principal)', identity('bus', 'deployer', [dns('www.example.com')])],
    ['ok/a listed group, whatever the method', identity('oidc', 'https://idp.example.com#alice', [dns('www.example.com')], { groups: ['staff', 'web-admins'] })],
  ])('%s issues', (_n, id) => {
    expect(web(id)).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' } });
  });

  it.each<[string, Identity, string]>([
    ['fail/a method not listed', identity('oidc', 'https://idp.example.com#bob', [dns('www.example.com')], { groups: ['staff'] }), 'oidc:https://idp.example.com#bob'],
    ['fail/a principal not listed', identity('bus', 'deployer2', [dns('www.example.com')]), 'bus:deployer2'],
    ['fail/the listed principal name under another method', identity('enrollment-secret', 'deployer', [dns('www.example.com')]), 'enrollment-secret:deployer'],
    ['fail/service is a method like any other', identity('service', 'intermediary', [dns('www.example.com')]), 'service:intermediary'],
  ])('%s is denied, naming the requester', (_n, id, who) => {
    const r = web(id);
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'enroll.permission', field: 'identity', value: who }, changes: {} });
    expect(r.message).toBe(`${who} may not enroll in template Web; it admits tls-client-certificate, enrollment-token`);
  });

  it('fail/anonymous where the template does not list it', () => {
    const r = verify('WebStrict', { identity: anonymous });
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'enroll.permission', field: 'identity', value: 'anonymous' } });
    expect(r.message).toBe('anonymous may not enroll in template WebStrict without authentication; it admits tls-client-certificate');
  });

  it('fail/a requester who may not enroll learns nothing more: the denial stands alone', () => {
    const r = web(identity('oidc', 'bob'), ['evil.test'], { key: KEYS.rsa1024 });
    expect(r.decidedBy?.rule).toBe('enroll.permission');
    expect(r.message).not.toContain('and 2 more');
  });

  it('fail/approval does not grant enrollment: a resubmit is denied too', () => {
    expect(web(identity('oidc', 'bob', [dns('www.example.com')]), undefined, { newRequest: false })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'enroll.permission' } });
  });

  it('ok/anonymous where listed pends for a certificate manager, with the certificate it would get', () => {
    const r = web(anonymous);
    expect(r).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'enroll.anonymous', field: 'identity', value: 'anonymous' } });
    expect(r.message).toMatch(/^pending: template Web holds requests from unauthenticated requesters for a certificate manager \(and 1 more: DNS name www.example.com is not among the names anonymous proved/);
    expect(sanOf(r)).toEqual([{ type: 'dns', value: 'www.example.com' }]);
  });

  it('ok/the certificate manager\'s resubmit issues the anonymous request', () => {
    expect(web(anonymous, undefined, { newRequest: false })).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.approved' } });
  });

  it('ok/anonymous: issue issues at once (loopback names, unproven: allow)', () => {
    const r = verify('Lab', { identity: anonymous, subject: [], sans: [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }] });
    expect(r).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' }, changes: { subject: [{ type: 'CN', value: 'localhost' }] } });
  });

  it('fail/the template\'s own rules still apply to anonymous: issue', () => {
    expect(verify('Lab', { identity: anonymous, sans: [{ type: 'dns', value: 'www.example.com' }] })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'san.dns' } });
  });
});

describe('enroll.template: a credential bound to one template', () => {
  const token = (template: string) => identity('enrollment-token', 'tok-9', [dns('www.example.com'), { type: 'email', value: 'alice@example.com' }], { template });

  it('fail/bound to another template: denied, naming the binding', () => {
    const r = web(token('User'));
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'enroll.template', field: 'identity.template', value: 'User' } });
    expect(r.message).toBe('enrollment-token:tok-9 holds a credential bound to template User, not Web');
  });

  it('ok/bound to this one (names match without case)', () => {
    expect(web(token('web'))).toMatchObject({ verdict: 'issue' });
  });

  it('ok/the bound template governs a request that names none', () => {
    expect(verify('', { identity: token('User'), attributes: {}, subject: [], sans: [] })).toMatchObject({ verdict: 'issue', changes: { template: 'User' } });
  });
});

describe('names.from identity (AD CS "build from Active Directory")', () => {
  const alice = (names: ProvenName[], extra: Partial<Identity> = {}) => identity('oidc', 'https://idp.example.com#alice', names, extra);
  const aliceNames: ProvenName[] = [
    { type: 'email', value: 'alice@example.com' },
    { type: 'upn', value: 'alice@example.com' },
    { type: 'dns', value: 'alice-laptop.example.com' },
  ];

  it('ok/SANs and subject come from the identity; the CSR\'s names are not used', () => {
    const r = verify('User', {
      identity: alice(aliceNames, { subject: [{ type: 'CN', value: 'Alice Example' }, { type: 'O', value: 'Example' }, { type: 'L', value: 'Berlin' }] }),
      subject: [{ type: 'CN', value: 'Administrator' }],
      sans: [{ type: 'upn', value: 'administrator@example.com' }],
    });
    expect(r).toMatchObject({ verdict: 'issue', changes: { subject: [{ type: 'CN', value: 'Alice Example' }, { type: 'O', value: 'Example' }] } });
    // The template issues email and UPN names only: the proven DNS name is left out, as is L (not in subject.allowed).
    expect(sanOf(r)).toEqual([
      { type: 'email', value: 'alice@example.com' },
      { type: 'upn', value: 'alice@example.com' },
    ]);
    expect(r.message).toBe("issued under template User (template User builds the names from the identity; the request's were not used)");
  });

  it.each<[string, ProvenName[], string]>([
    ['ok/CN from the first email address when the identity vouches for no subject', aliceNames, 'alice@example.com'],
    ['ok/CN from the UPN when there is no email address', [{ type: 'upn', value: 'Alice@Example.com' }], 'Alice@example.com'],
  ])('%s', (_n, names, cn) => {
    const r = verify('User', { identity: alice(names), subject: [], sans: [] });
    expect(r).toMatchObject({ verdict: 'issue', changes: { subject: [{ type: 'CN', value: cn }] } });
  });

  it('fail/an identity with nothing the template can build from: no proven name of a type it issues', () => {
    expect(verify('User', { identity: alice([dns('alice-laptop.example.com')]), subject: [{ type: 'CN', value: 'Alice' }], sans: [] })).toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'names.identity', field: 'identity' },
    });
  });

  it('fail/an identity that vouches only for a display name proves no name: nothing is built from the CN alone', () => {
    const r = verify('User', { identity: { ...alice([]), subject: [{ type: 'CN', value: 'Mallory' }] }, subject: [], sans: [] });
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'names.identity', field: 'identity' } });
    expect(r.message).toMatch(/proved none it issues \(email address, UPN\)/);
  });

  it('fail/a proven name the template does not issue is denied by the template\'s rule', () => {
    expect(verify('User', { identity: alice([{ type: 'email', value: 'alice@elsewhere.test' }]), sans: [] })).toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'san.email', value: 'alice@elsewhere.test' },
    });
  });

  describe('requireMatch', () => {
    const strict = (o: RequestOptions) => verify('UserStrict', { identity: alice(aliceNames), ...o });

    it('ok/the CSR holds a subset of the names the certificate gets', () => {
      const r = strict({ subject: [{ type: 'CN', value: 'Alice' }], sans: [{ type: 'email', value: 'alice@EXAMPLE.com' }] });
      expect(r.verdict).toBe('issue');
      expect(sanOf(r)).toHaveLength(2);
    });

    it.each<[string, RequestOptions, Record<string, string>]>([
      ['fail/a SAN the identity did not prove', { subject: [], sans: [{ type: 'email', value: 'bob@example.com' }] }, { rule: 'names.match', field: 'subjectAltName.email', value: 'bob@example.com' }],
      ['fail/a name the identity proved but the template does not issue', { subject: [], sans: [{ type: 'dns', value: 'alice-laptop.example.com' }] }, { rule: 'names.match', field: 'subjectAltName.dns', value: 'alice-laptop.example.com' }],
      ['fail/a CN that is a name', { subject: [{ type: 'CN', value: 'admin@example.com' }], sans: [] }, { rule: 'names.match', field: 'subject.CN', value: 'admin@example.com' }],
    ])('%s', (_n, o, decidedBy) => {
      const r = strict(o);
      expect(r).toMatchObject({ verdict: 'deny', decidedBy });
      expect(r.message).toContain(`in the request is not among the names template UserStrict builds from the identity of oidc:https://idp.example.com#alice`);
    });
  });
});

describe('names.from request: every name must be proven', () => {
  it('ok/renewal: a client certificate whose names cover the CSR\'s issues without approval', () => {
    const r = web(tls('www.example.com', 'api.example.com'), ['www.example.com', 'api.example.com']);
    expect(r).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' } });
    expect(sanOf(r)).toEqual([dns('www.example.com'), dns('api.example.com')]);
  });

  it('ok/unproven: pend holds an unproven name for a certificate manager, naming the rule and the name', () => {
    const r = web(tls('www.example.com'), ['www.example.com', 'api.example.com']);
    expect(r).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'names.unproven', field: 'subjectAltName.dns', value: 'api.example.com' } });
    expect(r.message).toBe(
      'pending: DNS name api.example.com is not among the names tls-client-certificate:CN=web01,serial=0a1b proved; template Web holds it for a certificate manager',
    );
    expect(sanOf(r)).toEqual([dns('www.example.com'), dns('api.example.com')]);
  });

  it('ok/the certificate manager\'s resubmit after that pend issues', () => {
    expect(web(tls('www.example.com'), ['api.example.com'], { newRequest: false })).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.approved' } });
  });

  it('fail/the resubmit still obeys every other rule of the template', () => {
    expect(web(tls('www.example.com'), ['api.example.com', 'evil.test'], { newRequest: false })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'san.dns', value: 'evil.test' } });
  });

  it('fail/unproven: deny denies, naming the rule and the name', () => {
    const r = verify('WebStrict', { identity: tls('www.example.com'), subject: [], sans: [dns('www.example.com'), { type: 'ip', value: '192.0.2.9' }] });
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'names.unproven', field: 'subjectAltName.ip', value: '192.0.2.9' }, changes: {} });
    expect(r.message).toBe('IP address 192.0.2.9 is not among the names tls-client-certificate:CN=web01,serial=0a1b proved; template WebStrict issues only proven names');
  });

  it('fail/a name the template never issues is denied for that first, proven or not', () => {
    expect(verify('WebStrict', { identity: tls('evil.test'), sans: [dns('evil.test')] })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'san.dns' } });
  });

  it('ok/under cn-from-san the CSR\'s CN is not a name the certificate takes, so it needs no proof', () => {
    const r = web(tls('www.example.com'), ['www.example.com'], { subject: [{ type: 'CN', value: 'other.example.com' }] });
    expect(r).toMatchObject({ verdict: 'issue', changes: { subject: [{ type: 'CN', value: 'www.example.com' }] } });
  });

  describe('wildcards: a proven *.example.com covers one label', () => {
    it.each<[string, string, 'issue' | 'pend']>([
      ['ok/a name one label below', 'www.example.com', 'issue'],
      ['ok/the same wildcard', '*.example.com', 'issue'],
      ['pend/the domain itself', 'example.com', 'pend'],
      ['pend/two labels below', 'a.b.example.com', 'pend'],
    ])('%s', (_n, asked, verdict) => {
      const r = web(tls('*.example.com'), [asked]);
      expect(r.verdict).toBe(verdict);
      if (verdict === 'pend') expect(r.decidedBy).toEqual({ rule: 'names.unproven', field: 'subjectAltName.dns', value: asked });
    });

    it('pend/a requested wildcard needs the wildcard proven, not a name under it', () => {
      expect(web(tls('www.example.com', 'example.com'), ['*.example.com'])).toMatchObject({ verdict: 'pend', decidedBy: { value: '*.example.com' } });
    });
  });

  describe('every name type, and the subject when the template takes it from the request', () => {
    const oidc = (names: ProvenName[]) => identity('oidc', 'alice', names);
    const mixed = (names: ProvenName[], o: RequestOptions) => verify('Mixed', { identity: oidc(names), subject: [], ...o });

    it.each<[string, ProvenName, ProvenName]>([
      ['ok/email with the domain in another case', { type: 'email', value: 'Alice@example.com' }, { type: 'email', value: 'Alice@EXAMPLE.com' }],
      ['ok/upn without case', { type: 'upn', value: 'alice@example.com' }, { type: 'upn', value: 'ALICE@Example.com' }],
      ['ok/uri as written', { type: 'uri', value: 'spiffe://example.com/ns/a' }, { type: 'uri', value: 'spiffe://example.com/ns/a' }],
      ['ok/ip', { type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '192.0.2.1' }],
    ])('%s', (_n, proven, asked) => {
      expect(mixed([proven], { sans: [asked] })).toMatchObject({ verdict: 'issue' });
    });

    it('ok/an IPv6 address proven in another spelling', () => {
      const id = identity('tls-client-certificate', 'web02', [dns('www.example.com'), { type: 'ip', value: '2001:DB8:0::1' }]);
      expect(web(id, [], { sans: [dns('www.example.com'), { type: 'ip', value: '2001:db8::1' }] })).toMatchObject({ verdict: 'issue' });
    });

    it.each<[string, ProvenName, ProvenName, string]>([
      ['fail/email local part in another case', { type: 'email', value: 'Alice@example.com' }, { type: 'email', value: 'alice@example.com' }, 'subjectAltName.email'],
      ['fail/upn of someone else', { type: 'upn', value: 'alice@example.com' }, { type: 'upn', value: 'bob@example.com' }, 'subjectAltName.upn'],
      ['fail/uri with another path', { type: 'uri', value: 'spiffe://example.com/ns/a' }, { type: 'uri', value: 'spiffe://example.com/ns/b' }, 'subjectAltName.uri'],
      ['fail/ip another address', { type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '192.0.2.2' }, 'subjectAltName.ip'],
      ['fail/a DNS name does not prove an address', { type: 'dns', value: 'www.example.com' }, { type: 'ip', value: '192.0.2.2' }, 'subjectAltName.ip'],
    ])('%s', (_n, proven, asked, field) => {
      expect(mixed([proven], { sans: [asked] })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'names.unproven', field, value: asked.value } });
    });

    it.each<[string, RequestOptions['subject'], Record<string, string> | undefined]>([
      ['ok/a CN that is a plain word is no name', [{ type: 'CN', value: 'Alice' }], undefined],
      ['ok/a proven email as CN', [{ type: 'CN', value: 'alice@example.com' }], undefined],
      ['fail/a CN that is an unproven email', [{ type: 'CN', value: 'admin@example.com' }], { rule: 'names.unproven', field: 'subject.CN', value: 'admin@example.com' }],
      ['fail/a CN that is a DNS name', [{ type: 'CN', value: 'host.example.com' }], { rule: 'names.unproven', field: 'subject.CN', value: 'host.example.com' }],
      ['fail/a CN that is an IP address', [{ type: 'CN', value: '192.0.2.5' }], { rule: 'names.unproven', field: 'subject.CN', value: '192.0.2.5' }],
      ['fail/an unproven E', [{ type: 'CN', value: 'Alice' }, { type: 'E', value: 'admin@example.com' }], { rule: 'names.unproven', field: 'subject.E', value: 'admin@example.com' }],
    ])('%s', (_n, subject, decidedBy) => {
      const r = mixed([{ type: 'email', value: 'alice@example.com' }], { subject, sans: [{ type: 'email', value: 'alice@example.com' }] });
      if (decidedBy) expect(r).toMatchObject({ verdict: 'deny', decidedBy });
      else expect(r).toMatchObject({ verdict: 'issue', changes: { subject } });
    });
  });
});
