import { ADMIN_COMMAND_KEYS, AdminAssertion, AdminAssertionClaimsSchema, adminAssertionAudience, EXIT_ADMIN_COMMAND_KEYS, isAdminCommand } from './admin-assertion';
import { Commands } from './subjects';

describe('admin assertions (ADR 0028)', () => {
  it('ok/every command under ca.<ca>.admin. needs one, and nothing else does', () => {
    expect([...ADMIN_COMMAND_KEYS].sort()).toEqual(
      [
        'adminAuditList',
        'adminAuditRecord',
        'adminAuditVerify',
        'adminAuthenticate',
        'adminCertStatus',
        'adminCreateEnrollmentSecret',
        'adminCreateToken',
        'adminDeny',
        'adminGetCertificate',
        'adminGetRequest',
        'adminImportCertificate',
        'adminListEnrollmentSecrets',
        'adminModules',
        'adminPublishCrl',
        'adminRelease',
        'adminResubmit',
        'adminRevoke',
        'adminRevokeEnrollmentSecret',
        'adminRevokeToken',
        'adminSetAttributes',
        'adminSetExtension',
        'adminView',
      ].sort(),
    );
    for (const k of ADMIN_COMMAND_KEYS) expect(Commands[k].subject('acme')).toMatch(/^ca\.acme\.admin\./);
    expect(isAdminCommand(Commands.submit)).toBe(false);
    expect(isAdminCommand(Commands.deadLetterReplay)).toBe(false);
    expect(isAdminCommand(Commands.enrollmentSecretCheck)).toBe(false);
  });

  it('ok/exit-service\'s dead-letter commands need one for exit-service\'s audience; its status does not', () => {
    expect([...EXIT_ADMIN_COMMAND_KEYS].sort()).toEqual(['deadLetterDiscard', 'deadLetterList', 'deadLetterReplay', 'deadLetterReplayAll']);
    for (const k of EXIT_ADMIN_COMMAND_KEYS) expect(adminAssertionAudience(Commands[k], 'acme')).toBe('exit-service:acme');
    for (const k of ADMIN_COMMAND_KEYS) expect(adminAssertionAudience(Commands[k], 'acme')).toBe('ca-core:acme');
    expect(adminAssertionAudience(Commands.exitStatus, 'acme')).toBeUndefined();
    expect(adminAssertionAudience(Commands.submit, 'acme')).toBeUndefined();
  });

  it('ok/no admin command carries an actor in its body', () => {
    for (const k of [...ADMIN_COMMAND_KEYS, ...EXIT_ADMIN_COMMAND_KEYS]) {
      const shape = (Commands[k].request as unknown as { shape: Record<string, unknown> }).shape;
      expect(Object.keys(shape)).not.toContain('actor');
    }
  });

  it('ok/audience names the CA; claims bind a command and a body hash', () => {
    expect(AdminAssertion.audience('acme')).toBe('ca-core:acme');
    expect(() => AdminAssertion.audience('a.>')).toThrow(/invalid CA name/);
    const claims = { cmd: 'ca.admin.revoke', body: 'A'.repeat(43), actor: { name: 'olivia', roles: ['officer'] }, jti: 'x' };
    expect(AdminAssertionClaimsSchema.safeParse(claims).success).toBe(true);
    expect(AdminAssertionClaimsSchema.safeParse({ ...claims, body: 'A'.repeat(44) }).success).toBe(false);
    expect(AdminAssertionClaimsSchema.safeParse({ ...claims, actor: { name: 'x', roles: ['root'] } }).success).toBe(false);
  });
});
