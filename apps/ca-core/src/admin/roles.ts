import { ErrorCode, ForbiddenReason, SEPARATED_ROLES, SignetError, type Actor, type Identity, type Role } from '@signet/contracts';

/**
 * Which role each administration command needs (AD CS role separation):
 * certificate managers (officer) approve, deny, edit, revoke and import
 * certificates the CA issued; auditors
 * read and verify the audit log; CA administrators create and revoke admin tokens; any
 * role may read requests, certificates, views and modules. admin-api checks
 * the same table first; ca-core checks again (defence in depth), so a
 * compromised or buggy admin-api still cannot act beyond its caller's roles.
 * Role separation (SIGNET_ROLE_SEPARATION, AD CS RoleSeparationEnabled) is
 * checked here too, with ca-core's own setting: every action but a read is
 * refused to a caller holding two or more separated roles (ADR 0023).
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
  // Enrollment secrets (ADR 0032): handing one out approves in advance what it enrolls, so certificate managers do it.
  createEnrollmentSecret: 'officer',
  revokeEnrollmentSecret: 'officer',
  listEnrollmentSecrets: 'any',
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

/** A refusal says why (`details.reason` of the FORBIDDEN, as admin-api's) and, for people, what is wrong. */
export type Refusal = { ok: false; why: ForbiddenReason; reason: string };
export type Authorization = { ok: true } | Refusal;

export interface Separation {
  /** ca-core's SIGNET_ROLE_SEPARATION. */
  roleSeparation: boolean;
}

/** Pure check: may this actor perform this action? */
export function authorize(actor: Actor, action: AdminAction, opts: Separation = { roleSeparation: false }): Authorization {
  const need: Need = ADMIN_ACTIONS[action];
  if (actor.roles.length === 0) return { ok: false, why: ForbiddenReason.MissingRole, reason: `${actor.name} holds no administration role` };
  if (need === 'any') return { ok: true };
  if (!actor.roles.includes(need)) return { ok: false, why: ForbiddenReason.MissingRole, reason: `${action} needs the ${need} role, which ${actor.name} does not hold` };
  const separated = SEPARATED_ROLES.filter((r) => actor.roles.includes(r));
  if (opts.roleSeparation && separated.length >= 2) {
    return { ok: false, why: ForbiddenReason.RoleSeparation, reason: `role separation is on: ${actor.name} holds ${separated.join(' and ')} and may not ${action}` };
  }
  return { ok: true };
}

/**
 * Pure check for an approval (resubmit): with role separation on, the
 * certificate manager who approves a request is not the one who submitted
 * it, so two people stand behind every certificate that needed approval.
 * Names compare without case (AD CS principal names do). The officer's
 * name is compared with the requester name and with the principal of the
 * request's verified identity (`bus:olivia` is olivia's, ADR 0026), so a
 * method prefix does not hide who submitted it.
 */
export function authorizeApproval(
  actor: Actor,
  request: { id: number; requesterName: string; identity?: Pick<Identity, 'method' | 'principal'> | null },
  opts: Separation,
): Authorization {
  const name = actor.name.toLowerCase();
  const own = name === request.requesterName.toLowerCase() || (request.identity != null && request.identity.method !== 'anonymous' && name === request.identity.principal.toLowerCase());
  if (!opts.roleSeparation || !own) return { ok: true };
  return { ok: false, why: ForbiddenReason.SelfApproval, reason: `role separation is on: ${actor.name} submitted request ${request.id} and may not approve it` };
}

export function forbidden(action: AdminAction, refusal: Refusal): SignetError {
  return new SignetError(ErrorCode.Forbidden, refusal.reason, { action, needs: ADMIN_ACTIONS[action], reason: refusal.why });
}
