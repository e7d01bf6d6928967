import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventPublisher } from '@signet/bus';
import { AdminTokenRevoked, type Actor, type RevokeTokenReplySchema } from '@signet/contracts';
import { DataSource } from 'typeorm';
import { type z } from 'zod';
import { CA_CONFIG, type CaConfig } from '../../config/ca-config';
import { OutboxRelay } from '../../outbox/outbox.relay';
import { AdminGuard } from '../admin-guard';
import { AdminTokens } from './admin-tokens';

/**
 * Revoking an admin token over the bus (a ca-admin through admin-api).
 * The notice is published before the answer goes back, so by the time the
 * caller hears "revoked" every admin-api replica has been told (ADR 0024);
 * the outbox row written with the revocation is the fallback when that
 * publish fails, and the relay sends it then.
 */
@Injectable()
export class TokenRevocationService {
  private readonly log = new Logger('AdminTokens');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly tokens: AdminTokens,
    private readonly guard: AdminGuard,
    private readonly publisher: EventPublisher,
    private readonly relay: OutboxRelay,
    private readonly ds: DataSource,
  ) {}

  async revoke(actor: Actor, name: string): Promise<z.output<typeof RevokeTokenReplySchema>> {
    await this.guard.check(actor, 'revokeToken');
    const { notice, ...revoked } = await this.tokens.revoke(actor.name, name);
    // Claim the outbox row first, so that the relay (which may have seen the committed row already) and
    // this publish never both send it: core subscribers would get the notice twice.
    const [claimed] = (await this.ds.query(`UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE event_id = $1 AND published_at IS NULL RETURNING event_id`, [notice.id])) as unknown[][];
    if (claimed?.length) {
      try {
        await this.publisher.publish(AdminTokenRevoked.subject(this.config.caName), notice, notice.id);
      } catch (e) {
        this.log.warn(`revocation notice for ${name} not published yet (the outbox relay retries): ${(e as Error).message}`);
        await this.ds.query(`UPDATE outbox SET published_at = NULL WHERE event_id = $1`, [notice.id]);
        this.relay.wake();
      }
    }
    this.log.log(`admin token ${name} revoked by ${actor.name} (revocation epoch ${revoked.epoch})`);
    return revoked;
  }
}
