import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { decodeJson } from '@signet/bus';
import { AdminTokenRevoked, AdminTokenRevokedSchema } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/admin-client';
import { CONFIG, type AdminConfig } from '../config/config';
import { Authenticator } from './authenticator';

/**
 * Hears every admin-token revocation of this CA (ADR 0024): a core
 * subscription without a queue group, so every replica gets each notice,
 * and the cached answers that may predate it are dropped at once.
 *
 * A notice can only be missed while the connection is down, so a
 * disconnect or reconnect forgets every cached answer; if the subscription
 * itself is lost (e.g. NATS permissions refuse it), caching stops
 * altogether. Subscribed before the HTTP server opens (onModuleInit runs
 * before listen), so nothing is cached that a notice could not reach.
 */
@Injectable()
export class RevocationNotices implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('TokenRevocations');
  private sub?: Subscription;
  private stopping = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: AdminConfig,
    private readonly authenticator: Authenticator,
  ) {}

  async onModuleInit(): Promise<void> {
    const sub = this.nc.subscribe(AdminTokenRevoked.subject(this.config.caName), { callback: (err, msg) => void (err || this.onNotice(msg.data)) });
    this.sub = sub;
    void sub.closed.then((err) => {
      if (this.stopping) return;
      this.log.error(`lost the subscription to admin-token revocations${err ? ` (${err.message})` : ''}: caching no token answers from now on`);
      this.authenticator.stopCaching();
    });
    void this.watchConnection();
    // The server has the subscription before the first request is served.
    await this.nc.flush();
  }

  private onNotice(data: Uint8Array): void {
    let parsed;
    try {
      parsed = AdminTokenRevokedSchema.safeParse(decodeJson(data));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      // Something was revoked, but what is unreadable: forget everything rather than guess.
      this.log.warn('an unreadable admin-token revocation notice: forgetting every cached token answer');
      this.authenticator.forgetAll();
      return;
    }
    this.authenticator.revoked(parsed.data.name, parsed.data.epoch);
    this.log.log(`admin token ${parsed.data.name} revoked (revocation epoch ${parsed.data.epoch}): cached answers from before dropped`);
  }

  private async watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (this.stopping) return;
      if (s.type === 'disconnect' || s.type === 'reconnect') {
        this.authenticator.forgetAll();
        this.log.warn(`bus ${s.type}: revocation notices may have been missed, every cached token answer forgotten`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.sub && !this.sub.isClosed()) this.sub.unsubscribe();
  }
}
