import { connect } from '@nats-io/transport-node';
import { startPrivateNats, type PrivateNats } from '@signet/testing';
import { createServer, Socket, type Server } from 'node:net';
import { busAnswers } from './health';

/**
 * A TCP relay in front of the real server that can be frozen: while frozen
 * it holds what the client sends, so the server never sees the PING and the
 * connection stays open, as with a server that hangs. (Stopping the server
 * process with SIGSTOP did the same, but when the signal took effect raced
 * the client's PING.)
 */
async function freezableRelay(target: string): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target.replace('nats://', 'http://'));
  let frozen = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(Number(port), hostname);
    upstream.on('data', (b) => client.write(b));
    client.on('data', (b) => (frozen ? held.push(() => upstream.write(b)) : upstream.write(b)));
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `nats://127.0.0.1:${(server.address() as { port: number }).port}`,
    freeze: () => void (frozen = true),
    thaw: () => {
      frozen = false;
      for (const send of held.splice(0)) send();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

// Real nats-server: a private one, reached directly or through a relay that can make it look hung.
describe('busAnswers', () => {
  let server: PrivateNats;
  beforeAll(async () => {
    server = await startPrivateNats();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('ok/an open connection to a live server', async () => {
    const nc = await connect({ servers: server.url });
    try {
      await expect(busAnswers(nc)).resolves.toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('fail/a closed connection', async () => {
    const nc = await connect({ servers: server.url });
    await nc.close();
    await expect(busAnswers(nc)).resolves.toBe(false);
  });

  it('fail/a draining connection', async () => {
    const nc = await connect({ servers: server.url });
    const drained = nc.drain();
    await expect(busAnswers(nc)).resolves.toBe(false);
    await drained;
  });

  it('fail/a server that does not answer the ping in time; ok again once it does', async () => {
    const relay = await freezableRelay(server.url);
    const nc = await connect({ servers: relay.url, reconnect: false });
    try {
      await expect(busAnswers(nc)).resolves.toBe(true);
      relay.freeze();
      const started = Date.now();
      await expect(busAnswers(nc, 300)).resolves.toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      relay.thaw();
      await expect(busAnswers(nc)).resolves.toBe(true);
    } finally {
      await nc.close();
      await relay.close();
    }
  });
});
