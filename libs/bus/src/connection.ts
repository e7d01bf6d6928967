import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';

export interface BusConnectionOptions {
  url: string;
  /** Shown in `nats server` connection lists: the service's name. */
  name: string;
  user?: string;
  password?: string;
  /** Where replies come back (contracts' Inboxes.prefix(service)); NATS permissions allow each service only its own. */
  inboxPrefix: string;
  /** Give up on the first connect after this long (the process then exits). */
  connectTimeoutMs?: number;
}

/**
 * Connects to NATS and keeps reconnecting for ever once connected: a bus
 * outage pauses a service, it does not kill it.
 */
export async function connectBus(opts: BusConnectionOptions): Promise<NatsConnection> {
  const log = new Logger('Bus');
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({
        servers: opts.url,
        name: opts.name,
        user: opts.user,
        pass: opts.password,
        inboxPrefix: opts.inboxPrefix,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 5_000,
        // No stack captured per request for a timeout that almost never
        // happens: two Error objects per call showed in issuance profiles
        // (ADR 0037). Errors keep their type, message and cause.
        noAsyncTraces: true,
      });
      void watchStatus(nc, log);
      log.log(`connected to ${redactUrl(opts.url)} as ${opts.name}`);
      return nc;
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`cannot connect to NATS at ${redactUrl(opts.url)}: ${(lastError as Error)?.message ?? 'timeout'}`);
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
      log.warn(`bus ${s.type}`);
    }
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
