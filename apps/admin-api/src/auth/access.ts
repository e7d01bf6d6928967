import { ErrorCode, ForbiddenReason, ROLES, SEPARATED_ROLES, SignetError, type Principal, type Role } from '@signet/contracts';

/**
 * Who may call a route. Pure data, set on each handler with the decorators
 * in access.decorator.ts and decided by `authorize` (no I/O, table-tested).
 *
 * - public: probes and the OpenAPI document; no token needed.
 * - read:   ICertView-like reads; any of `roles` (default: every admin role).
 * - manage: changes and privileged reads; any of `roles`, and refused to a
 *           caller holding two or more AD CS roles when role separation is on.
 */
export type Access = { kind: 'public' } | { kind: 'read' | 'manage'; roles: readonly Role[] };

/** Every admin role may read (viewer is AD CS's Read permission; officers must see the queue they approve). */
export const READ_ROLES: readonly Role[] = ROLES;


/**
 * Decides whether an authenticated principal may make a call. The roles role
 * separation keeps apart (SEPARATED_ROLES) and the 403 reasons
 * (ForbiddenReason) come from @signet/contracts: ca-core checks the same
 * (ADR 0023). Throws
 * FORBIDDEN (403) with `details.reason` and the roles involved, so an
 * operator sees what is missing without guessing.
 */
export function authorize(principal: Principal, access: Access, roleSeparation: boolean): void {
  if (access.kind === 'public') return;
  const held = new Set(principal.roles);
  if (!access.roles.some((r) => held.has(r))) {
    throw new SignetError(ErrorCode.Forbidden, `this call needs one of the roles: ${access.roles.join(', ')}`, {
      reason: ForbiddenReason.MissingRole,
      required: [...access.roles],
      held: [...principal.roles],
    });
  }
  if (access.kind === 'manage' && roleSeparation) {
    const separated = SEPARATED_ROLES.filter((r) => held.has(r));
    if (separated.length >= 2) {
      throw new SignetError(ErrorCode.Forbidden, `role separation is on: a caller holding ${separated.join(' and ')} may not make management calls`, {
        reason: ForbiddenReason.RoleSeparation,
        held: [...principal.roles],
      });
    }
  }
}
