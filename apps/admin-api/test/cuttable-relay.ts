import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP relay in front of the real NATS server that can cut the line: while
 * cut, connections through it are closed and new ones refused, as when a
 * network link drops; restored, clients reconnect through it.
 */
export async function cuttableRelay(target: string): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target.replace(/^nats:\/\//, 'http://'));
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(Number(port), hostname);
    upstream.on('data', (b) => client.write(b));
    client.on('data', (b) => upstream.write(b));
    for (const s of [client, upstream]) {
      s.on('error', () => undefined).on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `nats://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => void (cut = false),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
