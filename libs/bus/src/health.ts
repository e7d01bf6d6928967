import { type NatsConnection } from '@nats-io/transport-node';

/** How long a bus round-trip may take before the bus counts as down. */
export const BUS_PING_TIMEOUT_MS = 1_000;

/**
 * Whether the bus is up for this connection: open, not draining, and a
 * round-trip to the server (PING/PONG) comes back within `timeoutMs`. The
 * HTTP services' readiness probes start from it.
 */
export async function busAnswers(nc: NatsConnection, timeoutMs = BUS_PING_TIMEOUT_MS): Promise<boolean> {
  if (nc.isClosed() || nc.isDraining()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([nc.rtt().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
