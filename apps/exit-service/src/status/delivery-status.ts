import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Events, type ExitModuleStatus, type ExitStatusReply } from '@signet/contracts';
import { type DeadLetterStore } from '../deadletters/dead-letter.store';
import { durableName } from '../delivery/names';
import { type ExitModule } from '../modules/types';

/**
 * `exit.<ca>.status`: how far behind each of this exit-service's modules
 * is, from what JetStream keeps for its durable consumers (shared by every
 * replica, so any replica's answer is the whole truth) and from the
 * dead-letter stream's per-subject counts. Read-only; a handful of INFO
 * calls per module, nothing read from the streams.
 */
export class DeliveryStatus {
  private jsm?: JetStreamManager;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ca: string,
    private readonly modules: readonly ExitModule[],
    private readonly deadLetters: Pick<DeadLetterStore, 'count'>,
  ) {}

  async status(): Promise<ExitStatusReply> {
    this.jsm ??= await jetstreamManager(this.nc);
    return { modules: await Promise.all(this.modules.map((m) => this.ofModule(m))) };
  }

  private async ofModule(m: ExitModule): Promise<ExitModuleStatus> {
    const events = await Promise.all(
      m.events.map(async (event) => {
        const consumer = durableName(this.ca, m.name, event);
        // A consumer not made yet (its module never started) has nothing pending.
        const info = await this.jsm!.consumers.info(Events.stream, consumer).catch(() => undefined);
        return { event, consumer, ...counts(info) };
      }),
    );
    return { name: m.name, description: m.description, events, deadLetters: await this.deadLetters.count(m.name) };
  }
}

function counts(info: ConsumerInfo | undefined): Pick<ExitModuleStatus['events'][number], 'pending' | 'inFlight' | 'redelivered' | 'lastDelivered'> {
  if (!info) return { pending: 0, inFlight: 0, redelivered: 0, lastDelivered: null };
  return { pending: info.num_pending, inFlight: info.num_ack_pending, redelivered: info.num_redelivered, lastDelivered: lastActive(info.delivered.last_active) };
}

/** nats-server sends an RFC 3339 time (the client's types say nanoseconds); absent before the first delivery. */
function lastActive(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) && t > 0 ? new Date(t).toISOString() : null;
  }
  if (typeof v === 'number' && v > 0) return new Date(v / 1e6).toISOString();
  return null;
}
