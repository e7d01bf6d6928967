import { ErrorCode, type Role } from '@signet/contracts';
import { ADMIN_ACTIONS, authorize, authorizeApproval, forbidden, type AdminAction } from './roles';

const actor = (...roles: Role[]) => ({ name: 'pat', roles });

describe('authorize (role separation, checked again in ca-core)', () => {
  const officerActions: AdminAction[] = ['resubmit', 'deny', 'setAttributes', 'setExtension', 'revoke', 'release'];
  const reads: AdminAction[] = ['getRequest', 'getCertificate', 'certStatus', 'view', 'modules'];

  it.each(officerActions)('ok/officer may %s', (a) => expect(authorize(actor('officer'), a)).toEqual({ ok: true }));
  it.each(officerActions)('fail/a CA administrator alone may not %s (that is the certificate manager\'s)', (a) => {
    expect(authorize(actor('ca-admin'), a)).toEqual({ ok: false, why: 'MISSING_ROLE', reason: `${a} needs the officer role, which pat does not hold` });
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
    expect(authorize(actor(), a)).toEqual({ ok: false, why: 'MISSING_ROLE', reason: 'pat holds no administration role' });
  });
  it('covers every action with a role or "any"', () => {
    for (const need of Object.values(ADMIN_ACTIONS)) expect(['ca-admin', 'officer', 'auditor', 'viewer', 'any']).toContain(need);
  });
  it('refusals are FORBIDDEN with the action, the role it needs and why (details.reason, as admin-api\'s)', () => {
    expect(forbidden('revoke', { ok: false, why: 'MISSING_ROLE', reason: 'no' }).toBody()).toEqual({
      code: ErrorCode.Forbidden,
      message: 'no',
      retryable: false,
      details: { action: 'revoke', needs: 'officer', reason: 'MISSING_ROLE' },
    });
  });
});

// ADR 0023: ca-core enforces role separation with its own setting, not only admin-api.
describe('authorize with role separation on', () => {
  const on = { roleSeparation: true };
  const manage = (Object.keys(ADMIN_ACTIONS) as AdminAction[]).filter((a) => ADMIN_ACTIONS[a] !== 'any');
  const reads = (Object.keys(ADMIN_ACTIONS) as AdminAction[]).filter((a) => ADMIN_ACTIONS[a] === 'any');
  const everyRole = (a: AdminAction) => actor(ADMIN_ACTIONS[a] as Role, 'ca-admin', 'officer', 'auditor');

  it.each(manage)('fail/%s by a caller holding two or more of ca-admin, officer, auditor', (a) => {
    const need = ADMIN_ACTIONS[a] as Role;
    const other: Role = need === 'officer' ? 'auditor' : 'officer';
    expect(authorize(actor(need, other), a, on)).toEqual({ ok: false, why: 'ROLE_SEPARATION', reason: `role separation is on: pat holds ${['ca-admin', 'officer', 'auditor'].filter((r) => r === need || r === other).join(' and ')} and may not ${a}` });
    expect(authorize(everyRole(a), a, on)).toMatchObject({ ok: false, why: 'ROLE_SEPARATION' });
    // Off, the same caller may.
    expect(authorize(actor(need, other), a)).toEqual({ ok: true });
  });
  it.each(manage)('ok/%s by a caller holding its one role (viewer does not count)', (a) => {
    expect(authorize(actor(ADMIN_ACTIONS[a] as Role, 'viewer'), a, on)).toEqual({ ok: true });
  });
  it.each(reads)('ok/%s stays open to a caller holding every role', (a) => {
    expect(authorize(actor('ca-admin', 'officer', 'auditor', 'viewer'), a, on)).toEqual({ ok: true });
  });
});

describe('authorizeApproval (no officer approves their own request under role separation)', () => {
  const request = { id: 7, requesterName: 'Pat' };
  it('fail/the requester is the officer, names compared without case', () => {
    expect(authorizeApproval(actor('officer'), request, { roleSeparation: true })).toEqual({ ok: false, why: 'SELF_APPROVAL', reason: 'role separation is on: pat submitted request 7 and may not approve it' });
  });
  it('ok/another officer', () => {
    expect(authorizeApproval({ name: 'sam', roles: ['officer'] }, request, { roleSeparation: true })).toEqual({ ok: true });
  });
  it('fail/the officer is the principal of the verified identity, whatever its method', () => {
    const submitted = { id: 8, requesterName: 'bus:Pat', identity: { method: 'bus' as const, principal: 'Pat' } };
    expect(authorizeApproval(actor('officer'), submitted, { roleSeparation: true })).toMatchObject({ ok: false, why: 'SELF_APPROVAL' });
  });
  it('ok/role separation off (AD CS allows it then)', () => {
    expect(authorizeApproval(actor('officer'), request, { roleSeparation: false })).toEqual({ ok: true });
  });
});
