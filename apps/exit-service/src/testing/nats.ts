import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { ensureEventStream } from '@signet/bus';
import { startPrivateNats, type PrivateNats } from '@signet/testing';

/** Test-only (excluded from the build). */

/**
 * A real NATS connection for the spec file that calls this at its top
 * level, to a nats-server of its own (JetStream, empty store): what the
 * spec finds in the streams is what it put there, whatever a shared server
 * already holds. Connected (SIGNET_EVENTS made, Nest's logs cut to errors)
 * before its tests, drained and the server stopped after them; `use`
 * receives the connection and the server.
 */
export function onRealNats(use: (nc: NatsConnection, server: PrivateNats) => void): void {
  let nc: NatsConnection | undefined;
  let server: PrivateNats | undefined;
  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    server = await startPrivateNats();
    nc = await connect({ servers: server.url });
    await ensureEventStream(nc);
    use(nc, server);
  });
  afterAll(async () => {
    await nc?.drain();
    await server?.stop();
  });
}
