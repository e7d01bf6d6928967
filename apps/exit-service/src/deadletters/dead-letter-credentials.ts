import { Logger } from '@nestjs/common';
import { AdminCommandCheck, UsedAssertionIds, type VerifyKeys } from '@signet/assertions';
import { type BusContext } from '@signet/bus';
import { AdminAssertion, ErrorCode, ForbiddenReason, SignetError, type Actor, type Role } from '@signet/contracts';

/**
 * Who may do what with dead letters: the same roles admin-api's routes ask
 * for (`GET /api/v1/dead-letters` any of ca-admin and officer; replay,
 * replay-all and discard ca-admin alone). exit-service checks them again,
 * as ca-core checks its own commands, so a compromised or buggy admin-api
 * still cannot act beyond its caller's roles.
 */
export const DEAD_LETTER_ROLES = {
  list: ['ca-admin', 'officer'],
  replay: ['ca-admin'],
  replayAll: ['ca-admin'],
  discard: ['ca-admin'],
} as const satisfies Record<string, readonly Role[]>;
export type DeadLetterAction = keyof typeof DEAD_LETTER_ROLES;

/**
 * Who is acting on a dead-letter command (ADR 0028): the actor of admin-api's
 * assertion for `exit-service:<ca>`, verified with admin-api's public keys
 * (SIGNET_ADMIN_ASSERTION_KEYS, the variable ca-core reads) against this
 * command and the body bytes as received, accepted once. Never a name a
 * message states: a process that can publish on `exit.<ca>.deadletters.>`
 * but holds no admin-api key is refused UNAUTHORIZED before anything is
 * read or changed; an actor without the role is FORBIDDEN.
 *
 * Accepted assertion ids are kept in this process's memory (a bounded
 * set: each for about 90 s), not shared between replicas: a copy sent to
 * another replica within its 30 s is not refused there. Replay, replay-all
 * and discard are recorded by ca-core first (`ca.admin.audit.record`, which
 * takes an assertion of its own, checked once in ca-core's database, and
 * applies role separation), so a copy cannot act unrecorded.
 */
export class DeadLetterCredentials {
  private readonly log = new Logger('DeadLetterCredentials');
  private readonly check: AdminCommandCheck;

  constructor(ca: string, keys: VerifyKeys | undefined, used = new UsedAssertionIds()) {
    this.check = new AdminCommandCheck({
      ca,
      audience: AdminAssertion.exitAudience(ca),
      keys,
      firstUse: (jti, expiresAt) => used.firstUse(jti, expiresAt),
      warn: (m) => this.log.warn(m),
    });
  }

  /** The verified actor, if they hold a role the action needs; UNAUTHORIZED or FORBIDDEN otherwise. */
  async actor(ctx: BusContext, action: DeadLetterAction): Promise<Actor> {
    const actor = await this.check.actor(ctx);
    const required: readonly Role[] = DEAD_LETTER_ROLES[action];
    if (!required.some((r) => actor.roles.includes(r))) {
      this.log.warn(`refused ${ctx.command} to ${actor.name}: needs one of ${required.join(', ')}`);
      throw new SignetError(ErrorCode.Forbidden, `this call needs one of the roles: ${required.join(', ')}`, {
        reason: ForbiddenReason.MissingRole,
        required: [...required],
        held: [...actor.roles],
      });
    }
    return actor;
  }
}
