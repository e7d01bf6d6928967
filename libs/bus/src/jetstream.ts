import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Events } from '@signet/contracts';
import { encodeJson } from './codec';

/** How long JetStream remembers message ids to drop a republished event. */
const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/**
 * Creates the durable event stream when it is missing. Idempotent and safe
 * for several replicas starting at once.
 */
export async function ensureEventStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(Events.stream);
    return;
  } catch {
    // missing: create below
  }
  try {
    await jsm.streams.add({
      name: Events.stream,
      subjects: [...Events.streamSubjects],
      storage: 'file' as never,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(30 * 24 * 3600 * 1000),
    });
  } catch (e) {
    // Another replica won the race.
    await jsm.streams.info(Events.stream).catch(() => {
      throw e;
    });
  }
}

/** Publishes one event; `msgId` makes a retried publish a no-op. */
export class EventPublisher {
  private readonly js: JetStreamClient;

  constructor(nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async publish(subject: string, payload: unknown, msgId: string): Promise<{ duplicate: boolean; seq: number }> {
    const ack = await this.js.publish(subject, encodeJson(payload), { msgID: msgId, timeout: 5_000 });
    return { duplicate: ack.duplicate, seq: ack.seq };
  }
}
