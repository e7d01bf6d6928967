import { type Principal, type Role } from '@signet/contracts';
import { authorize, READ_ROLES, type Access } from './access';

const who = (...roles: Role[]): Principal => ({ name: 'p', roles });
const read: Access = { kind: 'read', roles: READ_ROLES };
const officerOnly: Access = { kind: 'manage', roles: ['officer'] };
const auditorOnly: Access = { kind: 'manage', roles: ['auditor'] };
const adminOrOfficerRead: Access = { kind: 'read', roles: ['ca-admin', 'officer'] };

describe('authorize', () => {
  it.each<[string, Principal, Access, boolean]>([
    ['ok/public needs no role', who(), { kind: 'public' }, false],
    ['ok/viewer reads', who('viewer'), read, false],
    ['ok/officer reads', who('officer'), read, false],
    ['ok/auditor reads', who('auditor'), read, false],
    ['ok/officer manages requests', who('officer'), officerOnly, false],
    ['ok/auditor reads the audit log', who('auditor'), auditorOnly, false],
    ['ok/officer lists dead letters', who('officer'), adminOrOfficerRead, false],
    ['ok/two roles without separation', who('officer', 'ca-admin'), officerOnly, false],
    ['ok/separation: officer + viewer is one AD CS role', who('officer', 'viewer'), officerOnly, true],
    ['ok/separation: reads stay open to two roles', who('officer', 'ca-admin'), read, true],
  ])('%s', (_n, p, access, separation) => {
    expect(() => authorize(p, access, separation)).not.toThrow();
  });

  it.each<[string, Principal, Access, boolean, string]>([
    ['fail/no roles at all cannot read', who(), read, false, 'MISSING_ROLE'],
    ['fail/viewer cannot resubmit', who('viewer'), officerOnly, false, 'MISSING_ROLE'],
    ['fail/ca-admin is not an officer', who('ca-admin'), officerOnly, false, 'MISSING_ROLE'],
    ['fail/officer cannot read the audit log', who('officer'), auditorOnly, false, 'MISSING_ROLE'],
    ['fail/viewer cannot list dead letters', who('viewer'), adminOrOfficerRead, false, 'MISSING_ROLE'],
    ['fail/separation: officer + ca-admin', who('officer', 'ca-admin'), officerOnly, true, 'ROLE_SEPARATION'],
    ['fail/separation: auditor + ca-admin reading audit', who('auditor', 'ca-admin'), auditorOnly, true, 'ROLE_SEPARATION'],
    ['fail/separation: all roles', who('ca-admin', 'officer', 'auditor', 'viewer'), officerOnly, true, 'ROLE_SEPARATION'],
  ])('%s', (_n, p, access, separation, reason) => {
    let err: any;
    try {
      authorize(p, access, separation);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'FORBIDDEN', details: { reason } });
  });
});
