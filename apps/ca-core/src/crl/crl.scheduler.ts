import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { decodeJson } from '@signet/bus';
import { Events, ExitEvent } from '@signet/contracts';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Coalescer } from './coalesce';
import { tickInterval } from './crl-schedule';
import { CrlService, SYSTEM_ACTOR } from './crl.service';
import { REVOCATION_CONFIG, revocationNotices, type RevocationConfig } from './revocation-config';

/** DI token for the bus connection (the on-revoke listener is a plain core subscription). */
export const REVOCATION_NATS = Symbol('REVOCATION_NATS');

/** One replica per CA reacts to a revocation event (queue group), not all of them. */
const ON_REVOKE_QUEUE = 'signet-ca-core-crl';
/** Revocations arriving together become one CRL. */
const ON_REVOKE_DEBOUNCE_MS = 500;

/**
 * When CRLs are issued without anybody asking:
 *  - on the schedule (SIGNET_CRL_PERIOD_HOURS, SIGNET_DELTA_CRL_PERIOD_MINUTES),
 *    checked every few seconds by every replica; the CRL lock and a re-check
 *    under it make sure one replica issues;
 *  - after a revocation or a release, when SIGNET_CRL_ON_REVOKE is on (the
 *    default, ADR 0019): a delta when deltas are issued, else a base. The
 *    trigger is the certificate event itself (ca.<ca>.events.certificate.>),
 *    so whichever code path revoked, relying parties learn it. One such CRL
 *    at a time per replica; revocations meanwhile make one more.
 */
@Injectable()
export class CrlScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('CrlScheduler');
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private sub?: Subscription;
  private running?: Promise<unknown>;
  private stopped = false;
  private readonly afterRevocations = new Coalescer(
    () => (this.loaded() && !this.stopped ? this.crl.publish(this.rc.deltasEnabled, SYSTEM_ACTOR) : Promise.resolve()),
    (e) => this.log.warn(`CRL after revocation failed: ${(e as Error).message}`),
  );

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(REVOCATION_CONFIG) private readonly rc: RevocationConfig,
    @Inject(REVOCATION_NATS) private readonly nc: NatsConnection,
    private readonly keys: CaKeysService,
    private readonly crl: CrlService,
  ) {}

  onApplicationBootstrap(): void {
    for (const notice of revocationNotices(this.rc)) this.log.log(notice);
    this.schedule(1_000);
    if (this.rc.onRevoke) {
      this.sub = this.nc.subscribe(Events.certificateEventsOfCa(this.config.caName), {
        queue: ON_REVOKE_QUEUE,
        callback: (err, msg) => {
          if (err) return;
          try {
            const ev = decodeJson(msg.data) as { event?: string };
            // Issuance and import add no revocation; everything else under certificate.* changes a status.
            if (ev.event === ExitEvent.CertificateIssued || ev.event === ExitEvent.CertificateImported) return;
          } catch {
            return;
          }
          this.afterRevocation();
        },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.sub?.drain().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.afterRevocations.idle();
  }

  private loaded(): boolean {
    try {
      return !!this.keys.ca;
    } catch {
      return false;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.loaded() && !this.running) {
      this.running = this.crl.publishIfDue().catch((e) => this.log.warn(`scheduled CRL failed: ${(e as Error).message}`));
      await this.running;
      this.running = undefined;
    }
    this.schedule(tickInterval(this.rc));
  }

  private afterRevocation(): void {
    if (this.debounce || this.stopped) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.afterRevocations.request();
    }, ON_REVOKE_DEBOUNCE_MS);
  }
}
