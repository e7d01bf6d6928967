import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { decodeJson } from '@signet/bus';
import { Events, ExitEvent } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/ca-client';

/** CAs whose events one intermediary follows at most (names come from URLs: bounded). */
const MAX_CAS = 256;

type Listener = (ca: string, serial?: string) => void;

/**
 * Follows the events that change what the edge caches: certificate.* (a
 * revocation, a release, an issuance changes an OCSP answer) and
 * crl.issued (a new CRL). Core NATS subscriptions without a queue group, so
 * every replica hears every event; a missed one costs at most the cache TTL.
 * A CA is followed from the first time it answered a revocation call.
 */
@Injectable()
export class RevocationEvents implements OnApplicationShutdown {
  private readonly log = new Logger('RevocationEvents');
  private readonly followed = new Map<string, Promise<void>>();
  private readonly subs: Subscription[] = [];
  private readonly onCertificate: Listener[] = [];
  private readonly onCrl: Listener[] = [];

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  certificateChanged(fn: Listener): void {
    this.onCertificate.push(fn);
  }

  crlIssued(fn: Listener): void {
    this.onCrl.push(fn);
  }

  /** Starts following a CA; resolves once the server has the subscriptions (so no event is missed after). */
  follow(ca: string): Promise<void> {
    const known = this.followed.get(ca);
    if (known) return known;
    if (this.followed.size >= MAX_CAS) return Promise.resolve();
    const ready = (async () => {
      this.subs.push(
        this.nc.subscribe(Events.certificateEventsOfCa(ca), { callback: (err, msg) => void (err || this.emit(this.onCertificate, ca, msg.data)) }),
        this.nc.subscribe(Events.subject(ca, ExitEvent.CrlIssued), { callback: (err, msg) => void (err || this.emit(this.onCrl, ca, msg.data)) }),
      );
      await this.nc.flush();
    })();
    this.followed.set(ca, ready);
    return ready;
  }

  private emit(listeners: Listener[], ca: string, data: Uint8Array): void {
    let serial: string | undefined;
    try {
      const ev = decodeJson(data) as { serial?: unknown };
      if (typeof ev.serial === 'string') serial = ev.serial;
    } catch {
      // An unreadable event still says "something changed" for this CA.
    }
    for (const fn of listeners) {
      try {
        fn(ca, serial);
      } catch (e) {
        this.log.warn(`event listener failed: ${(e as Error).message}`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.subs.map((s) => s.drain()));
  }
}
