import 'reflect-metadata';
import { type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { connectBus } from '@signet/bus';
import { ConfigError } from '@signet/config';
import { type AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { loadConfig } from './config/config';

const log = new Logger('AdminApi');

/**
 * admin-api: the operator's HTTP API (ICertAdmin / ICertView) for one CA.
 * It authenticates callers, checks their roles, and sends every action to
 * ca-core over the bus; it never opens the database.
 */
async function main(): Promise<void> {
  // 1. Configuration: a bad environment stops the process here.
  const config = loadConfig();

  // 2. The bus: the only way to the CA.
  const nc = await connectBus({
    name: `signet-admin-api-${config.caName}`,
    url: config.nats.url,
    user: config.nats.user,
    password: config.nats.password,
  });

  // 3. HTTP.
  const app = await createApp(config, nc);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  log.log(`listening on http://${config.http.host}:${address.port} for CA ${config.caName}${config.roleSeparation ? ' (role separation on)' : ''}`);

  // 4. Stop in order: no new HTTP requests, finish the ones in flight, then drain the bus.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    // In-flight calls may wait up to the CA timeout; never hang beyond that.
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.caTimeoutMs + 5_000).unref();
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

async function shutdown(app: NestExpressApplication, nc: NatsConnection): Promise<void> {
  await app.close();
  if (!nc.isClosed()) await nc.drain();
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    log.error(e.message);
  } else {
    log.error(`cannot start: ${(e as Error)?.message ?? String(e)}`);
  }
  process.exit(1);
});
