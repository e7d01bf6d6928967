import { Inject, Injectable, Logger } from '@nestjs/common';
import { AdminCommandCheck } from '@signet/assertions';
import { type BusContext } from '@signet/bus';
import { AdminAssertion, type Actor } from '@signet/contracts';
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
 * 30 s cannot repeat the command. The checks themselves are
 * `AdminCommandCheck` (`@signet/assertions`), shared with exit-service.
 */
@Injectable()
export class AdminCredentials {
  private readonly check: AdminCommandCheck;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {
    const log = new Logger('AdminCredentials');
    this.check = new AdminCommandCheck({
      ca: config.caName,
      audience: AdminAssertion.audience(config.caName),
      keys: config.adminAssertionKeys,
      firstUse: (jti, expiresAt) => this.firstUse(jti, expiresAt),
      warn: (m) => log.warn(m),
    });
  }

  /** The verified actor of this admin command; UNAUTHORIZED otherwise. */
  actor(ctx: BusContext): Promise<Actor> {
    return this.check.actor(ctx);
  }

  /** For `ca.admin.authenticate`: the message must come from admin-api, which is still asking who the caller is. */
  fromAdminApi(ctx: BusContext): Promise<void> {
    return this.check.actorless(ctx);
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
}
