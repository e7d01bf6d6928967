import { type Logger } from '@nestjs/common';
import { ConfigError } from '@signet/config';

/** What shutdown needs of the bus connection. */
export interface Drainable {
  isClosed(): boolean;
  drain(): Promise<void>;
}

export interface StopOnSignalsOptions {
  log: Pick<Logger, 'log' | 'error'>;
  /** In-flight calls may wait up to the CA timeout; never hang beyond this. */
  graceMs: number;
}

/**
 * On SIGTERM or SIGINT, stop in order: no new HTTP requests, finish the
 * ones in flight, then drain the bus; exit 1 if that fails or takes longer
 * than `graceMs`.
 */
export function stopOnSignals(app: { close(): Promise<void> }, nc: Drainable, opts: StopOnSignalsOptions): void {
  const { log } = opts;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, opts.graceMs).unref();
    void shutdown(app, nc).then(
      () => process.exit(0),
      (e) => {
        log.error(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function shutdown(app: { close(): Promise<void> }, nc: Drainable): Promise<void> {
  await app.close();
  if (!nc.isClosed()) await nc.drain();
}

/**
 * Runs a service's main; a failure to start exits 1 with one line: a
 * configuration error as it is (it names the variables), anything else
 * as "cannot start".
 */
export function runMain(log: Pick<Logger, 'error'>, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof ConfigError) {
      log.error(e.message);
    } else {
      log.error(`cannot start: ${(e as Error)?.message ?? String(e)}`);
    }
    process.exit(1);
  });
}
