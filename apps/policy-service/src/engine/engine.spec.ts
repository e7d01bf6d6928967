import { ANONYMOUS_IDENTITY, PolicyVerifyReplySchema, type Identity, type PolicyVerifyReply, type PolicyVerifyRequest, type San } from '@signet/contracts';
import {
  OID,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  encodeBasicConstraints,
} from '@signet/x509';
import { CA_NOT_AFTER, KEYS, NOT_BEFORE, policyFrom, shippedPolicy, verifyRequest, type RequestOptions } from '../testing/fixtures';
import { evaluate } from './engine';

const shipped = shippedPolicy();
const variant = (change: Record<string, unknown>) => policyFrom({ ...structuredClone(shipped), ...change } as never);

/**
 * A requester who proved exactly the names it asks for, with a TLS client
 * certificate (as a renewal does): the tests below are about the templates'
 * profiles, so enrollment and names are settled unless a test says otherwise.
 */
function proving(sans: San[], extra: Partial<Identity> = {}): Identity {
  return { method: 'tls-client-certificate', principal: 'CN=host01,serial=2a', names: sans, groups: [], evidence: {}, ...extra };
}
const DEFAULT_SANS: San[] = [{ type: 'dns', value: 'www.example.com' }];

/** Every reply must pass the contract ca-core validates it with. */
function verify(o: RequestOptions, policy = shipped): PolicyVerifyReply {
  const reply = evaluate(verifyRequest({ identity: proving(o.sans ?? DEFAULT_SANS), ...o }), policy);
  expect(PolicyVerifyReplySchema.safeParse(reply).success).toBe(true);
  return reply;
}

function extension(reply: PolicyVerifyReply, oid: string) {
  const e = reply.changes?.extensions?.find((x) => x.oid === oid);
  return e ? { critical: e.critical, disabled: e.disabled, der: Buffer.from(e.value!, 'base64') } : undefined;
}

describe('engine: WebServer', () => {
  it('ok/issues an RSA request with the full profile', () => {
    const r = verify({
      subject: [{ type: 'CN', value: 'shop.example.com' }, { type: 'O', value: 'Ignored Ltd' }],
      sans: [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'Shop.Example.com' }, { type: 'ip', value: '192.0.2.80' }],
    });
    expect(r).toMatchObject({ verdict: 'issue', message: 'issued under template WebServer', decidedBy: { rule: 'disposition.issue' } });
    expect(r.changes).toMatchObject({
      subject: [{ type: 'CN', value: 'shop.example.com' }],
      notAfter: '2026-04-01T00:00:00.000Z',
      template: 'WebServer',
    });
    expect(r.changes?.notBefore).toBeUndefined();
    const ku = extension(r, OID.keyUsage)!;
    expect([ku.critical, decodeKeyUsage(ku.der)]).toEqual([true, ['digitalSignature', 'keyEncipherment']]);
    const eku = extension(r, OID.extKeyUsage)!;
    expect([eku.critical, decodeExtKeyUsage(eku.der)]).toEqual([false, [OID.serverAuth]]);
    const san = extension(r, OID.subjectAltName)!;
    expect([san.critical, decodeSubjectAltName(san.der)]).toEqual([
      false,
      [
        { type: 'dns', value: 'www.example.com' },
        { type: 'dns', value: 'shop.example.com' },
        { type: 'ip', value: '192.0.2.80' },
      ],
    ]);
    const bc = extension(r, OID.basicConstraints)!;
    expect([bc.critical, decodeBasicConstraints(bc.der)]).toEqual([true, { ca: false }]);
  });

  it('ok/EC keys get digitalSignature only (keyEncipherment is RSA-only)', () => {
    const r = verify({ key: KEYS.p384 });
    expect(r.verdict).toBe('issue');
    expect(decodeKeyUsage(extension(r, OID.keyUsage)!.der)).toEqual(['digitalSignature']);
  });

  it('ok/the CA maximum wins when it is earlier', () => {
    expect(verify({ certificate: { notAfter: '2026-01-15T00:00:00.000Z' } }).changes?.notAfter).toBe('2026-01-15T00:00:00.000Z');
  });

  it('ok/requested extensions are never copied: a CSR asking for cA=TRUE gets cA=FALSE', () => {
    const req = verifyRequest({ identity: proving(DEFAULT_SANS) });
    req.request.extensions = [
      { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: true }).toString('base64'), origin: 'request', disabled: false },
    ];
    const r = evaluate(req, shipped);
    expect(decodeBasicConstraints(extension(r, OID.basicConstraints)!.der)).toEqual({ ca: false });
    expect(r.changes?.extensions?.filter((e) => e.oid === OID.basicConstraints)).toHaveLength(1);
  });

  it.each<[string, RequestOptions, Record<string, string>, string]>([
    ['fail/no template', { attributes: {} }, { rule: 'template.known', field: 'CertificateTemplate', value: '' }, 'no certificate template requested'],
    ['fail/unknown template', { attributes: { certificatetemplate: 'SubCA' } }, { rule: 'template.known', field: 'CertificateTemplate', value: 'SubCA' }, 'certificate template SubCA is not offered'],
    ['fail/RSA 1024', { key: KEYS.rsa1024 }, { rule: 'key.size', field: 'publicKey.bits', value: '1024' }, 'RSA key of 1024 bits is too small'],
    ['fail/Ed25519', { key: KEYS.ed25519 }, { rule: 'key.algorithm', field: 'publicKey.algorithm', value: 'ed25519' }, 'ed25519 keys are not allowed'],
    [
      'fail/a name outside the domains',
      { sans: [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'evil.test' }] },
      { rule: 'san.dns', field: 'subjectAltName.dns', value: 'evil.test' },
      'DNS name evil.test is not under an allowed domain of template WebServer',
    ],
    ['fail/wildcard', { sans: [{ type: 'dns', value: '*.example.com' }] }, { rule: 'san.dns', value: '*.example.com' }, 'is a wildcard'],
    ['fail/no DNS name', { sans: [] }, { rule: 'san.required', field: 'subjectAltName.dns' }, 'requires at least 1 DNS name'],
    ['fail/an email name', { sans: [{ type: 'dns', value: 'a.example.com' }, { type: 'email', value: 'a@example.com' }] }, { rule: 'san.type', field: 'subjectAltName.email' }, 'email addresses are not allowed'],
  ])('%s', (_n, o, decidedBy, message) => {
    const r = verify(o);
    expect(r.verdict).toBe('deny');
    expect(r.decidedBy).toMatchObject(decidedBy);
    expect(r.message).toContain(message);
    expect(r.changes).toEqual({});
  });

  it('fail/several problems: the first decides, the message lists the rest', () => {
    const r = verify({ key: KEYS.rsa1024, sans: [{ type: 'dns', value: 'evil.test' }] });
    expect(r.decidedBy?.rule).toBe('key.size');
    expect(r.message).toBe(
      'RSA key of 1024 bits is too small for template WebServer (minimum 2048) (and 1 more: DNS name evil.test is not under an allowed domain of template WebServer)',
    );
  });
});

describe('engine: Development (localhost)', () => {
  const dev = (sans: RequestOptions['sans'], subject: RequestOptions['subject'] = []) =>
    verify({ attributes: { certificatetemplate: 'Development' }, key: KEYS.p256, subject, sans });

  it('ok/localhost and the loopback addresses, CN localhost', () => {
    const r = dev([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }]);
    expect(r).toMatchObject({ verdict: 'issue', message: 'issued under template Development', changes: { subject: [{ type: 'CN', value: 'localhost' }], template: 'Development' } });
    const san = extension(r, OID.subjectAltName)!;
    expect([san.critical, decodeSubjectAltName(san.der)]).toEqual([
      false,
      [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ],
    ]);
    expect(decodeExtKeyUsage(extension(r, OID.extKeyUsage)!.der)).toEqual([OID.serverAuth]);
  });

  it('ok/an address alone: empty subject, critical SAN', () => {
    const r = dev([{ type: 'ip', value: '127.0.0.1' }]);
    expect(r).toMatchObject({ verdict: 'issue', changes: { subject: [] } });
    expect(extension(r, OID.subjectAltName)?.critical).toBe(true);
  });

  it.each<[string, RequestOptions['sans'], Record<string, string>]>([
    ['fail/a single-label name it does not list', [{ type: 'dns', value: 'intranet' }], { rule: 'san.dns', field: 'subjectAltName.dns', value: 'intranet' }],
    ['fail/a public name', [{ type: 'dns', value: 'localhost' }, { type: 'dns', value: 'www.example.com' }], { rule: 'san.dns', field: 'subjectAltName.dns', value: 'www.example.com' }],
    ['fail/a LAN address', [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '192.168.1.10' }], { rule: 'san.ip', field: 'subjectAltName.ip', value: '192.168.1.10' }],
  ])('%s', (_n, sans, decidedBy) => {
    expect(dev(sans)).toMatchObject({ verdict: 'deny', decidedBy });
  });

  it('fail/WebServer does not issue localhost', () => {
    expect(verify({ sans: [{ type: 'dns', value: 'localhost' }], subject: [{ type: 'CN', value: 'localhost' }] })).toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'san.dns', field: 'subjectAltName.dns', value: 'localhost' },
    });
  });
});

describe('engine: SignetService (the intermediary\'s own HTTPS certificate)', () => {
  /** The intermediary asking for its own certificate, having proved the names in its configuration. */
  const asIntermediary = (names: San[]): Identity => ({ method: 'service', principal: 'intermediary', names, groups: [], evidence: {} });

  it('ok/the default SIGNET_TLS_NAMES, 30 days, serverAuth', () => {
    const sans: San[] = [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }];
    const r = verify({ attributes: { certificatetemplate: 'SignetService' }, key: KEYS.p256, subject: [{ type: 'CN', value: 'localhost' }], sans, identity: asIntermediary(sans) });
    expect(r).toMatchObject({ verdict: 'issue', changes: { template: 'SignetService', subject: [{ type: 'CN', value: 'localhost' }] } });
    expect(decodeExtKeyUsage(extension(r, OID.extKeyUsage)!.der)).toEqual([OID.serverAuth]);
  });

  it('fail/a name the template does not list', () => {
    const sans: San[] = [{ type: 'dns', value: 'www.example.com' }];
    expect(verify({ attributes: { certificatetemplate: 'SignetService' }, key: KEYS.p256, subject: [], sans, identity: asIntermediary(sans) })).toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'san.dns', value: 'www.example.com' },
    });
  });
});

describe('engine: approval and disposition modes', () => {
  const codeSigning: RequestOptions = {
    attributes: { certificatetemplate: 'CodeSigning' },
    subject: [{ type: 'CN', value: 'Release Build' }, { type: 'O', value: 'Example' }],
    sans: [],
    key: KEYS.rsa3072,
  };

  it('ok/CodeSigning pends a new request, with the proposed changes for the manager to see', () => {
    const r = verify(codeSigning);
    expect(r).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'disposition.approval', value: 'CodeSigning' } });
    expect(r.changes?.template).toBe('CodeSigning');
    expect(decodeExtKeyUsage(extension(r, OID.extKeyUsage)!.der)).toEqual([OID.codeSigning]);
    expect(r.changes?.subject).toEqual([{ type: 'CN', value: 'Release Build' }, { type: 'O', value: 'Example' }]);
    expect(r.changes?.notAfter).toBe('2027-01-01T00:00:00.000Z');
  });

  it('ok/CodeSigning issues on resubmit (approved)', () => {
    expect(verify({ ...codeSigning, newRequest: false })).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.approved' } });
  });

  it('fail/an approved request that breaks a rule is still denied', () => {
    expect(verify({ ...codeSigning, newRequest: false, key: KEYS.rsa2048 })).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'key.size' } });
  });

  it('ok/a resubmit finds the template chosen on the first pass', () => {
    const r = verify({ ...codeSigning, attributes: {}, newRequest: false, certificate: { template: 'CodeSigning' } });
    expect(r).toMatchObject({ verdict: 'issue', changes: { template: 'CodeSigning' } });
  });

  const pendAll = variant({ dispositionMode: 'pend-all' });
  it.each([
    ['ok/pend-all pends a new WebServer request', true, 'pend', 'disposition.pend-all'],
    ['ok/pend-all issues it on resubmit', false, 'issue', 'disposition.approved'],
  ])('%s', (_n, newRequest, verdict, rule) => {
    expect(verify({ newRequest }, pendAll)).toMatchObject({ verdict, decidedBy: { rule } });
  });

  const honour = variant({ honourDispositionAttribute: true });
  it.each([
    ['ok/Disposition: pending pends when honoured', { disposition: 'pending' }, honour, 'pend', 'disposition.attribute'],
    ['fail/Disposition: deny denies when honoured', { disposition: 'deny' }, honour, 'deny', 'disposition.attribute'],
    ['ok/Disposition ignored by default', { disposition: 'deny' }, shipped, 'issue', 'disposition.issue'],
  ])('%s', (_n, attrs, policy, verdict, rule) => {
    expect(verify({ attributes: { certificatetemplate: 'WebServer', ...attrs } }, policy)).toMatchObject({ verdict, decidedBy: { rule } });
  });
});

describe('engine: the san attribute', () => {
  const attrs = (san: string) => ({ attributes: { certificatetemplate: 'WebServer', san } });

  it('ok/ignored by default, and the requester is told', () => {
    const r = verify(attrs('dns=evil.test'));
    expect(r.verdict).toBe('issue');
    expect(r.message).toContain('san request attribute was ignored');
    expect(decodeSubjectAltName(extension(r, OID.subjectAltName)!.der)).toEqual([{ type: 'dns', value: 'www.example.com' }]);
  });

  const open = variant({ allowSanAttribute: true });
  it('ok/honoured names are added after the CSR names', () => {
    const r = verify(attrs('dns=api.example.com'), open);
    expect(decodeSubjectAltName(extension(r, OID.subjectAltName)!.der)).toEqual([
      { type: 'dns', value: 'www.example.com' },
      { type: 'dns', value: 'api.example.com' },
    ]);
  });

  it('fail/honoured names still pass every SAN rule', () => {
    expect(verify(attrs('dns=evil.test'), open)).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'san.dns', value: 'evil.test' } });
  });
});

describe('engine: ClientAuth (names from the identity)', () => {
  const alice = (extra: Partial<Identity> = {}): Identity => ({
    method: 'oidc',
    principal: 'https://idp.example.com#alice',
    names: [{ type: 'email', value: 'alice@example.com' }, { type: 'upn', value: 'alice@example.net' }],
    groups: [],
    evidence: {},
    ...extra,
  });
  const clientAuth = (identity: Identity, o: RequestOptions = {}) =>
    verify({ attributes: { certificatetemplate: 'ClientAuth' }, key: KEYS.p256, identity, ...o });

  it('ok/subject and names built from the identity; the CSR asking for Administrator gets nothing of it (ESC1)', () => {
    const r = clientAuth(alice({ subject: [{ type: 'CN', value: 'Alice' }, { type: 'OU', value: 'Ops' }, { type: 'L', value: 'Berlin' }] }), {
      subject: [{ type: 'CN', value: 'Administrator' }, { type: 'E', value: 'administrator@example.com' }],
      sans: [{ type: 'upn', value: 'administrator@example.com' }],
    });
    expect(r.verdict).toBe('issue');
    expect(r.changes?.subject).toEqual([{ type: 'CN', value: 'Alice' }, { type: 'OU', value: 'Ops' }]);
    expect(decodeSubjectAltName(extension(r, OID.subjectAltName)!.der)).toEqual([
      { type: 'email', value: 'alice@example.com' },
      { type: 'upn', value: 'alice@example.net' },
    ]);
    expect(decodeExtKeyUsage(extension(r, OID.extKeyUsage)!.der)).toEqual([OID.clientAuth]);
    expect(r.changes?.notAfter).toBe('2027-01-01T00:00:00.000Z');
    expect(r.message).toContain("template ClientAuth builds the names from the identity; the request's were not used");
  });

  it('ok/CN from the email address when the identity vouches for no subject', () => {
    expect(clientAuth(alice(), { subject: [], sans: [] })).toMatchObject({ verdict: 'issue', changes: { subject: [{ type: 'CN', value: 'alice@example.com' }] } });
  });

  it.each<[string, Identity]>([
    ['fail/anonymous', ANONYMOUS_IDENTITY],
    ['fail/a bus submitter', { method: 'bus', principal: 'svc', names: [], groups: [], evidence: {} }],
    ['fail/the intermediary as a service', { method: 'service', principal: 'intermediary', names: [], groups: [], evidence: {} }],
  ])('%s may not enroll', (_n, identity) => {
    expect(clientAuth(identity)).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'enroll.permission', field: 'identity' } });
  });

  it.each<[string, Identity]>([
    [
      'fail/a certificate of this CA for a host (a WebServer or Development certificate presented at the handshake) is no client identity',
      { method: 'tls-client-certificate', principal: 'signet/0a1b', names: [{ type: 'dns', value: 'localhost' }], groups: [], subject: [{ type: 'CN', value: 'localhost' }], evidence: {} },
    ],
    ['fail/an OIDC login whose email is unverified: a display name alone', alice({ names: [], subject: [{ type: 'CN', value: 'Mallory' }] })],
  ])('%s', (_n, identity) => {
    const r = clientAuth(identity, { subject: [{ type: 'CN', value: 'Administrator' }], sans: [] });
    expect(r).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'names.identity', field: 'identity' } });
    expect(r.changes?.extensions ?? []).toEqual([]);
  });

  it('fail/an enrollment token bound to WebServer', () => {
    expect(clientAuth(alice({ method: 'enrollment-token', principal: 'tok-1', template: 'WebServer' }))).toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'enroll.template', value: 'WebServer' },
    });
  });
});

describe('engine: the shipped defaults and the identity', () => {
  const bus: Identity = { method: 'bus', principal: 'deployer', names: [], groups: [], evidence: {} };

  it('ok/WebServer: a renewal (a client certificate proving the names) issues at once', () => {
    const sans: San[] = [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'api.example.com' }];
    expect(verify({ sans, identity: proving(sans) })).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' } });
  });

  it('ok/WebServer: anonymous pends for a certificate manager, whose resubmit issues', () => {
    expect(verify({ identity: ANONYMOUS_IDENTITY })).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'enroll.anonymous', value: 'anonymous' } });
    expect(verify({ identity: ANONYMOUS_IDENTITY, newRequest: false })).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.approved' } });
  });

  it('ok/WebServer: an authenticated requester asking for a name it did not prove pends on that name', () => {
    expect(verify({ identity: bus })).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'names.unproven', field: 'subjectAltName.dns', value: 'www.example.com' } });
  });

  it('ok/CodeSigning: anonymous pends, and the resubmit issues', () => {
    const o: RequestOptions = {
      attributes: { certificatetemplate: 'CodeSigning' },
      subject: [{ type: 'CN', value: 'Release Build' }, { type: 'O', value: 'Example' }],
      sans: [],
      key: KEYS.rsa3072,
      identity: ANONYMOUS_IDENTITY,
    };
    expect(verify(o)).toMatchObject({ verdict: 'pend', decidedBy: { rule: 'enroll.anonymous' } });
    expect(verify({ ...o, newRequest: false })).toMatchObject({ verdict: 'issue' });
  });

  it('ok/Development: anonymous is issued at once', () => {
    const r = verify({ attributes: { certificatetemplate: 'Development' }, key: KEYS.p256, subject: [], sans: [{ type: 'dns', value: 'localhost' }], identity: ANONYMOUS_IDENTITY });
    expect(r).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' } });
  });

  describe('SignetService: the intermediary\'s own TLS certificate', () => {
    const intermediary = (names: San[]): Identity => ({ method: 'service', principal: 'intermediary', names, groups: [], evidence: {} });
    const service = (identity: Identity, sans: San[] = [{ type: 'dns', value: 'localhost' }]) =>
      verify({ attributes: { certificatetemplate: 'SignetService' }, key: KEYS.p256, subject: [], sans, identity });

    it('ok/issued for the names it proved: serverAuth, 30 days', () => {
      const r = service(intermediary([{ type: 'dns', value: 'localhost' }]));
      expect(r).toMatchObject({ verdict: 'issue', changes: { subject: [{ type: 'CN', value: 'localhost' }], notAfter: '2026-01-31T00:00:00.000Z' } });
      expect(decodeExtKeyUsage(extension(r, OID.extKeyUsage)!.der)).toEqual([OID.serverAuth]);
    });

    it('ok/localhost and loopback, when it proved them', () => {
      const sans: San[] = [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }];
      expect(service(intermediary(sans), sans)).toMatchObject({ verdict: 'issue' });
    });

    it.each<[string, Identity, Record<string, string>]>([
      ['fail/a name it did not prove', intermediary([{ type: 'ip', value: '127.0.0.1' }]), { rule: 'names.unproven', field: 'subjectAltName.dns', value: 'localhost' }],
      ['fail/another service', { method: 'service', principal: 'acme-frontend', names: [{ type: 'dns', value: 'localhost' }], groups: [], evidence: {} }, { rule: 'enroll.permission', value: 'service:acme-frontend' }],
      ['fail/a client certificate proving the name', proving([{ type: 'dns', value: 'localhost' }]), { rule: 'enroll.permission' }],
      ['fail/anonymous', ANONYMOUS_IDENTITY, { rule: 'enroll.permission', value: 'anonymous' }],
    ])('%s', (_n, identity, decidedBy) => {
      expect(service(identity)).toMatchObject({ verdict: 'deny', decidedBy });
    });
  });
});

describe('engine: properties', () => {
  it('is deterministic and does not change its input', () => {
    const req: PolicyVerifyRequest = verifyRequest();
    const before = structuredClone(req);
    expect(evaluate(req, shipped)).toEqual(evaluate(req, shipped));
    expect(req).toEqual(before);
  });

  it('never widens validity: notAfter ≤ the proposed one, notBefore untouched', () => {
    for (const template of ['WebServer', 'ClientAuth', 'CodeSigning']) {
      const sans = template === 'WebServer' ? [{ type: 'dns' as const, value: 'a.example.com' }] : [];
      const subject = [{ type: 'CN', value: 'a' }, { type: 'O', value: 'b' }];
      const r = evaluate(verifyRequest({ attributes: { certificatetemplate: template }, key: KEYS.p256, subject, sans, identity: proving([...sans, { type: 'email', value: 'a@example.com' }]) }), shipped);
      if (r.verdict === 'deny') throw new Error(`${template}: ${r.message}`);
      expect(r.changes?.notBefore).toBeUndefined();
      expect(Date.parse(r.changes!.notAfter!)).toBeGreaterThan(Date.parse(NOT_BEFORE));
      expect(Date.parse(r.changes!.notAfter!)).toBeLessThanOrEqual(Date.parse(CA_NOT_AFTER));
    }
  });
});
