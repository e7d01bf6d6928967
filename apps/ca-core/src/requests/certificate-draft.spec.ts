import { applyPolicyChanges, certificateExtensions, DraftViolation, proposeDraft, type CertificateDraft } from './certificate-draft';

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
