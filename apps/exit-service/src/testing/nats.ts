import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { ensureEventStream } from '@signet/bus';

/** Test-only (excluded from the build). */

const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * A real NATS connection for the spec file that calls this at its top
 * level: connected (SIGNET_EVENTS made when missing, Nest's logs cut to
 * errors) before its tests, drained after them; `use` receives it.
 */
export function onRealNats(use: (nc: NatsConnection) => void): void {
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    nc = await connect({ servers: NATS_URL });
    await ensureEventStream(nc);
    use(nc);
  });
  afterAll(() => nc?.drain());
}
