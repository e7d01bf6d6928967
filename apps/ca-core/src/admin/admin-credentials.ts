import { Inject, Injectable, Logger } from '@nestjs/common';
import { AssertionError, verifyAdminAssertion } from '@signet/assertions';
import { type BusContext } from '@signet/bus';
import { AdminAssertion, ErrorCode, SignetError, type Actor } from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

/**
 * Who is acting, as admin-api vouches for it (ADR 0028): every admin
 * command carries an assertion admin-api signed after authenticating the
 * caller, bound to this CA, this command and these body bytes, valid for
 * seconds. ca-core believes nothing else: a process that can publish on
 * `ca.<ca>.admin.>` but holds no key admin-api's public keys verify is
 * refused UNAUTHORIZED before anything is read or written.
 *
 * Refusals are logged, not audited: the audit log records what verified
 * actors did; an unauthenticated sender could otherwise fill it.
 * Freshness is checked against the system clock (assertions cross hosts),
 * not the CA's injected clock.
 */
@Injectable()
export class AdminCredentials {
  private readonly log = new Logger('AdminCredentials');

  constructor(@Inject(CA_CONFIG) private readonly config: CaConfig) {}

  /** The verified actor of this admin command; UNAUTHORIZED otherwise. */
  async actor(ctx: BusContext): Promise<Actor> {
    const actor = await this.verify(ctx);
    if (!actor) throw this.refuse(ctx, 'bad-claims', 'the admin assertion names no actor');
    return actor;
  }

  /** For `ca.admin.authenticate`: the message must come from admin-api, which is still asking who the caller is. */
  async fromAdminApi(ctx: BusContext): Promise<void> {
    const actor = await this.verify(ctx);
    if (actor) throw this.refuse(ctx, 'bad-claims', 'an authentication assertion names no actor');
  }

  private async verify(ctx: BusContext): Promise<Actor | undefined> {
    const keys = this.config.adminAssertionKeys;
    if (!keys) throw this.refuse(ctx, 'unknown-key', 'this CA trusts no admin-api key (SIGNET_ADMIN_ASSERTION_KEYS is not set)');
    try {
      const v = await verifyAdminAssertion(keys, ctx.header(AdminAssertion.header), { ca: this.config.caName, command: ctx.command, body: ctx.body });
      return v.actor;
    } catch (e) {
      if (e instanceof AssertionError) throw this.refuse(ctx, e.reason, e.message);
      throw e;
    }
  }

  private refuse(ctx: BusContext, reason: string, message: string): SignetError {
    this.log.warn(`refused ${ctx.command || ctx.subject}: ${message} (${reason})`);
    return new SignetError(ErrorCode.Unauthorized, `admin command refused: ${message}`, { reason });
  }
}
