import { ErrorCode, type Role } from '@signet/contracts';
import { ADMIN_ACTIONS, authorize, forbidden, type AdminAction } from './roles';

const actor = (...roles: Role[]) => ({ name: 'pat', roles });

describe('authorize (role separation, checked again in ca-core)', () => {
  const officerActions: AdminAction[] = ['resubmit', 'deny', 'setAttributes', 'setExtension', 'revoke', 'release'];
  const reads: AdminAction[] = ['getRequest', 'getCertificate', 'certStatus', 'view', 'modules'];

  it.each(officerActions)('ok/officer may %s', (a) => expect(authorize(actor('officer'), a)).toEqual({ ok: true }));
  it.each(officerActions)('fail/a CA administrator alone may not %s (that is the certificate manager\'s)', (a) => {
    expect(authorize(actor('ca-admin'), a)).toEqual({ ok: false, reason: `${a} needs the officer role, which pat does not hold` });
  });
  it.each(officerActions)('fail/an auditor or viewer may not %s', (a) => {
    expect(authorize(actor('auditor', 'viewer'), a).ok).toBe(false);
  });
  it.each(['auditList', 'auditVerify'] as AdminAction[])('ok/auditor may %s; fail/officer and ca-admin may not', (a) => {
    expect(authorize(actor('auditor'), a).ok).toBe(true);
    expect(authorize(actor('officer', 'ca-admin', 'viewer'), a).ok).toBe(false);
  });
  it.each(['createToken', 'revokeToken'] as AdminAction[])('ok/ca-admin may %s; fail/nobody else', (a) => {
    expect(authorize(actor('ca-admin'), a).ok).toBe(true);
    expect(authorize(actor('officer', 'auditor', 'viewer'), a).ok).toBe(false);
  });
  it.each(reads)('ok/any role may %s; fail/no role at all', (a) => {
    for (const r of ['ca-admin', 'officer', 'auditor', 'viewer'] as Role[]) expect(authorize(actor(r), a).ok).toBe(true);
    expect(authorize(actor(), a)).toEqual({ ok: false, reason: 'pat holds no administration role' });
  });
  it('covers every action with a role or "any"', () => {
    for (const need of Object.values(ADMIN_ACTIONS)) expect(['ca-admin', 'officer', 'auditor', 'viewer', 'any']).toContain(need);
  });
  it('refusals are FORBIDDEN with the action and the role it needs', () => {
    expect(forbidden('revoke', 'no').toBody()).toEqual({ code: ErrorCode.Forbidden, message: 'no', retryable: false, details: { action: 'revoke', needs: 'officer' } });
  });
});
