import { type PolicyVerifyReplyParsed } from '@signet/contracts';
import { encodeBasicConstraints, encodeExtKeyUsage, encodeKeyUsage, OID } from '@signet/x509';
import { adminWidening, applyPolicyChanges, certificateExtensions, DraftViolation, proposeDraft, type CertificateDraft, type DraftExtension } from './certificate-draft';

const now = new Date('2026-01-10T12:00:00Z');
const ca = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') };
const day = 86_400_000;

function draft(over: Partial<CertificateDraft> = {}): CertificateDraft {
  return { ...proposeDraft({ now, subject: [{ type: 'CN', value: 'a' }], ca, maxValidityDays: 90, backdateSeconds: 60 }), ...over };
}

describe('proposeDraft', () => {
  it('ok/backdates notBefore and caps notAfter at the maximum validity', () => {
    const d = draft();
    expect(d.notBefore.toISOString()).toBe('2026-01-10T11:59:00.000Z');
    expect(d.notAfter.getTime()).toBe(now.getTime() + 90 * day);
  });
  it('ok/cuts validity to the CA certificate', () => {
    const d = proposeDraft({ now, subject: [], ca, maxValidityDays: 3650, backdateSeconds: 0 });
    expect(d.notAfter).toEqual(ca.notAfter);
  });
  it('ok/never backdates before the CA certificate', () => {
    const d = proposeDraft({ now: new Date('2026-01-01T00:00:10Z'), subject: [], ca, maxValidityDays: 1, backdateSeconds: 3600 });
    expect(d.notBefore).toEqual(ca.notBefore);
  });
  it('fail/expired CA', () => {
    expect(() => proposeDraft({ now: new Date('2027-02-01T00:00:00Z'), subject: [], ca, maxValidityDays: 1, backdateSeconds: 0 })).toThrow(DraftViolation);
  });
});

describe('applyPolicyChanges', () => {
  const ku = Buffer.from([0x03, 0x02, 0x07, 0x80]).toString('base64');

  it('ok/narrows validity', () => {
    const d = draft();
    const na = new Date(now.getTime() + 30 * day).toISOString();
    expect(applyPolicyChanges(d, { notAfter: na }, ca).notAfter.toISOString()).toBe(na);
  });
  it('fail/notAfter later than proposed', () => {
    const d = draft();
    expect(() => applyPolicyChanges(d, { notAfter: new Date(d.notAfter.getTime() + 1000).toISOString() }, ca)).toThrow(/later/);
  });
  it('fail/notBefore earlier than proposed', () => {
    const d = draft();
    expect(() => applyPolicyChanges(d, { notBefore: new Date(d.notBefore.getTime() - 1000).toISOString() }, ca)).toThrow(/earlier/);
  });
  it('fail/notAfter before notBefore', () => {
    const d = draft();
    expect(() => applyPolicyChanges(d, { notAfter: new Date(d.notBefore.getTime() - 1).toISOString() }, ca)).toThrow(DraftViolation);
  });
  it('ok/sets subject, template and an extension with origin policy', () => {
    const d = applyPolicyChanges(draft(), { subject: [{ type: 'CN', value: 'b' }], template: 'WebServer', extensions: [{ oid: '2.5.29.15', critical: true, value: ku, disabled: false }] }, ca);
    expect(d.subject).toEqual([{ type: 'CN', value: 'b' }]);
    expect(d.template).toBe('WebServer');
    expect(certificateExtensions(d)).toEqual([{ oid: '2.5.29.15', critical: true, value: Buffer.from(ku, 'base64'), origin: 'policy', disabled: false }]);
  });
  it('fail/server-owned extension', () => {
    expect(() => applyPolicyChanges(draft(), { extensions: [{ oid: '2.5.29.14', critical: false, value: ku, disabled: false }] }, ca)).toThrow(/set by the CA/);
  });
  it('ok/an admin extension wins over the policy', () => {
    const admin = { oid: '2.5.29.15', critical: false, value: Buffer.from([1]), origin: 'admin' as const, disabled: false };
    const d = applyPolicyChanges(draft({ extensions: [admin] }), { extensions: [{ oid: '2.5.29.15', critical: true, value: ku, disabled: false }] }, ca);
    expect(certificateExtensions(d)).toEqual([admin]);
  });
  it('ok/disable keeps the extension out of the certificate', () => {
    const d1 = applyPolicyChanges(draft(), { extensions: [{ oid: '2.5.29.15', critical: true, value: ku, disabled: false }] }, ca);
    const d2 = applyPolicyChanges(d1, { extensions: [{ oid: '2.5.29.15', critical: false, disabled: true }] }, ca);
    expect(d2.extensions).toHaveLength(1);
    expect(certificateExtensions(d2)).toEqual([]);
  });
  it('fail/no value and not disabled', () => {
    expect(() => applyPolicyChanges(draft(), { extensions: [{ oid: '2.5.29.15', critical: false, disabled: false }] }, ca)).toThrow(/value is required/);
  });
  it('ok/request-origin extensions never reach the certificate', () => {
    const req = { oid: '2.5.29.17', critical: false, value: Buffer.from([1]), origin: 'request' as const, disabled: false };
    expect(certificateExtensions(draft({ extensions: [req] }))).toEqual([]);
  });
});

// ADR 0023: the policy's extension of an OID bounds the administrator's; ca-core checks it even when the policy did not.
type ExtensionChange = NonNullable<PolicyVerifyReplyParsed['changes']['extensions']>[number];

describe('adminWidening', () => {
  const admin = (oid: string, value: Buffer, more: Partial<DraftExtension> = {}): DraftExtension => ({ oid, critical: true, value, origin: 'admin', disabled: false, ...more });
  const policy = (oid: string, value: Buffer, critical = true): ExtensionChange => ({ oid, critical, value: value.toString('base64'), disabled: false });
  const codeSigning = policy(OID.extKeyUsage, encodeExtKeyUsage([OID.codeSigning]), false);
  const leafBc = policy(OID.basicConstraints, encodeBasicConstraints({ ca: false }));
  const signOnly = policy(OID.keyUsage, encodeKeyUsage(['digitalSignature']));
  const check = (extensions: DraftExtension[], changes: ExtensionChange[]) => adminWidening(applyPolicyChanges(draft({ extensions }), { extensions: changes }, ca), { extensions: changes });

  it.each<[string, DraftExtension[], ExtensionChange[]]>([
    ['ok/no admin extension', [], [codeSigning, leafBc, signOnly]],
    ['ok/the same keyUsage', [admin(OID.keyUsage, encodeKeyUsage(['digitalSignature']))], [signOnly]],
    ['ok/extKeyUsage narrowed', [admin(OID.extKeyUsage, encodeExtKeyUsage([OID.clientAuth]))], [policy(OID.extKeyUsage, encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]), false)]],
    ['ok/basicConstraints disabled on a leaf', [admin(OID.basicConstraints, encodeBasicConstraints({ ca: true }), { disabled: true })], [leafBc]],
    ['ok/a private extension is not judged here', [admin('1.3.6.1.4.1.55555.1', Buffer.from('0500', 'hex'))], [codeSigning]],
    ['ok/request-origin extensions are not the administrator\'s', [{ ...admin(OID.basicConstraints, encodeBasicConstraints({ ca: true })), origin: 'request' }], [leafBc]],
  ])('%s', (_n, extensions, changes) => {
    expect(check(extensions, changes)).toBeUndefined();
  });

  it.each<[string, DraftExtension[], ExtensionChange[], { name: string; problem: RegExp }]>([
    ['fail/ESC7: cA TRUE over the template\'s cA FALSE', [admin(OID.basicConstraints, encodeBasicConstraints({ ca: true }))], [leafBc], { name: 'basicConstraints', problem: /sets cA TRUE/ }],
    ['fail/ESC7: cA TRUE where the policy sets no basicConstraints', [admin(OID.basicConstraints, encodeBasicConstraints({ ca: true }))], [], { name: 'basicConstraints', problem: /sets cA TRUE/ }],
    ['fail/ESC7: keyCertSign added', [admin(OID.keyUsage, encodeKeyUsage(['digitalSignature', 'keyCertSign']))], [signOnly], { name: 'keyUsage', problem: /adds keyCertSign/ }],
    ['fail/ESC7: the EKU disabled', [admin(OID.extKeyUsage, encodeExtKeyUsage([OID.codeSigning]), { disabled: true })], [codeSigning], { name: 'extKeyUsage', problem: /any purpose/ }],
    ['fail/anyExtendedKeyUsage instead of codeSigning', [admin(OID.extKeyUsage, encodeExtKeyUsage([OID.anyExtendedKeyUsage]))], [codeSigning], { name: 'extKeyUsage', problem: /adds anyExtendedKeyUsage/ }],
  ])('%s', (_n, extensions, changes, expected) => {
    expect(check(extensions, changes)).toMatchObject({ name: expected.name, problem: expect.stringMatching(expected.problem) });
  });

  it('ok/the policy disabling its own extension leaves nothing to bound but CA powers', () => {
    const off = { oid: OID.keyUsage, critical: true, disabled: true };
    expect(check([admin(OID.keyUsage, encodeKeyUsage(['keyEncipherment']))], [off])).toBeUndefined();
    expect(check([admin(OID.keyUsage, encodeKeyUsage(['cRLSign']))], [off])).toMatchObject({ name: 'keyUsage', problem: expect.stringMatching(/only a CA template/) });
  });
});
