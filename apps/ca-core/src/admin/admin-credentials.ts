import { Inject, Injectable, Logger } from '@nestjs/common';
import { AssertionError, verifyAdminAssertion, type VerifiedAdminAssertion } from '@signet/assertions';
import { type BusContext } from '@signet/bus';
import { AdminAssertion, ErrorCode, SignetError, type Actor } from '@signet/contracts';
import { DataSource } from 'typeorm';
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
 *
 * Each assertion is accepted once: its `jti` is recorded (in the database,
 * so every replica sees it) before the command runs, and a second message
 * carrying it is refused `replayed` — a copy taken off the bus within its
 * 30 s cannot repeat the command.
 */
@Injectable()
export class AdminCredentials {
  private readonly log = new Logger('AdminCredentials');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {}

  /** The verified actor of this admin command; UNAUTHORIZED otherwise. */
  async actor(ctx: BusContext): Promise<Actor> {
    const v = await this.verify(ctx);
    if (!v.actor) throw this.refuse(ctx, 'bad-claims', 'the admin assertion names no actor');
    await this.useOnce(ctx, v);
    return v.actor;
  }

  /** For `ca.admin.authenticate`: the message must come from admin-api, which is still asking who the caller is. */
  async fromAdminApi(ctx: BusContext): Promise<void> {
    const v = await this.verify(ctx);
    if (v.actor) throw this.refuse(ctx, 'bad-claims', 'an authentication assertion names no actor');
    await this.useOnce(ctx, v);
  }

  private async verify(ctx: BusContext): Promise<VerifiedAdminAssertion> {
    const keys = this.config.adminAssertionKeys;
    if (!keys) throw this.refuse(ctx, 'unknown-key', 'this CA trusts no admin-api key (SIGNET_ADMIN_ASSERTION_KEYS is not set)');
    try {
      return await verifyAdminAssertion(keys, ctx.header(AdminAssertion.header), { ca: this.config.caName, command: ctx.command, body: ctx.body });
    } catch (e) {
      if (e instanceof AssertionError) throw this.refuse(ctx, e.reason, e.message);
      throw e;
    }
  }

  private async useOnce(ctx: BusContext, v: VerifiedAdminAssertion): Promise<void> {
    if (!(await this.firstUse(v.jti, v.expiresAt))) throw this.refuse(ctx, 'replayed', 'this admin assertion was already used');
  }

  /**
   * Records the assertion's id; false when it was recorded before. The ids
   * of assertions expired a minute ago (beyond any clock tolerance) are
   * dropped in the same statement: those assertions are refused as expired.
   */
  private async firstUse(jti: string, expiresAt: Date): Promise<boolean> {
    const rows = (await this.ds.query(
      `WITH purged AS (DELETE FROM admin_assertion_used WHERE ca_name = $1 AND expires_at < now() - interval '1 minute')
       INSERT INTO admin_assertion_used (ca_name, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING jti`,
      [this.config.caName, jti, expiresAt],
    )) as unknown[];
    return rows.length === 1;
  }

  private refuse(ctx: BusContext, reason: string, message: string): SignetError {
    this.log.warn(`refused ${ctx.command || ctx.subject}: ${message} (${reason})`);
    return new SignetError(ErrorCode.Unauthorized, `admin command refused: ${message}`, { reason });
  }
}
