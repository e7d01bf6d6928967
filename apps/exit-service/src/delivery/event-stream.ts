import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Logger } from '@nestjs/common';
import { Events } from '@signet/contracts';

/** Waits until ca-core has created the event stream (it owns it; exit-service may only read it). */
export async function waitForEventStream(nc: NatsConnection, log: Logger, everyMs = 1_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (let i = 0; ; i++) {
    try {
      await jsm.streams.info(Events.stream);
      return;
    } catch (e) {
      if (i === 0 || i % 30 === 0) log.log(`waiting for ca-core to create stream ${Events.stream} (${(e as Error).message})`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
