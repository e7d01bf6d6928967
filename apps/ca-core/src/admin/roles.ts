import { ErrorCode, SignetError, type Actor, type Role } from '@signet/contracts';

/**
 * Which role each administration command needs (AD CS role separation):
 * certificate managers (officer) approve, deny, edit, revoke and import
 * certificates the CA issued; auditors
 * read and verify the audit log; CA administrators create and revoke admin tokens; any
 * role may read requests, certificates, views and modules. admin-api checks
 * the same table first; ca-core checks again (defence in depth), so a
 * compromised or buggy admin-api still cannot act beyond its caller's roles.
 */
export type Need = Role | 'any';

export const ADMIN_ACTIONS = {
  resubmit: 'officer',
  deny: 'officer',
  setAttributes: 'officer',
  setExtension: 'officer',
  revoke: 'officer',
  release: 'officer',
  importCertificate: 'officer',
  auditList: 'auditor',
  auditVerify: 'auditor',
  createToken: 'ca-admin',
  revokeToken: 'ca-admin',
  // exit-service's dead letters; recorded by ca-core before admin-api asks exit-service.
  'deadletter.replay': 'ca-admin',
  'deadletter.replay-all': 'ca-admin',
  'deadletter.discard': 'ca-admin',
  getRequest: 'any',
  getCertificate: 'any',
  certStatus: 'any',
  view: 'any',
  modules: 'any',
} as const satisfies Record<string, Need>;
export type AdminAction = keyof typeof ADMIN_ACTIONS;

export type Authorization = { ok: true } | { ok: false; reason: string };

/** Pure check: may this actor perform this action? */
export function authorize(actor: Actor, action: AdminAction): Authorization {
  const need: Need = ADMIN_ACTIONS[action];
  if (actor.roles.length === 0) return { ok: false, reason: `${actor.name} holds no administration role` };
  if (need === 'any' || actor.roles.includes(need)) return { ok: true };
  return { ok: false, reason: `${action} needs the ${need} role, which ${actor.name} does not hold` };
}

export function forbidden(action: AdminAction, reason: string): SignetError {
  return new SignetError(ErrorCode.Forbidden, reason, { action, needs: ADMIN_ACTIONS[action] });
}
