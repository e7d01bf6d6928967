import { ConsoleLogger, Logger } from '@nestjs/common';
import { logLevelsUpTo } from '@signet/config';
import { connectBus } from '@signet/bus';
import { runMain, stopOnSignals } from '@signet/http';
import { type AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { loadConfig } from './config/config';
import { Inboxes } from '@signet/contracts';
import { HttpsListener } from './tls/https.listener';

const log = new Logger('Intermediary');

async function main(): Promise<void> {
  // 1. Configuration: a bad environment stops the process here.
  const config = loadConfig();
  const logger = new ConsoleLogger('intermediary', { logLevels: logLevelsUpTo(config.logLevel) });
  Logger.overrideLogger(logger);

  // 2. The bus. CAs are found on it, never configured.
  const nc = await connectBus({
    name: 'signet-intermediary',
    url: config.nats.url,
    user: config.nats.user,
    password: config.nats.password,
    inboxPrefix: Inboxes.prefix('intermediary'),
  });

  // 3. HTTP.
  const app = await createApp(config, nc, { logger });
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  log.log(`listening on http://${config.http.host}:${address.port}${config.tls.apiOverHttp ? '' : ' (CRLs, OCSP, CA certificates and health; the API is served over HTTPS only)'}`);
  // HTTPS binds once its first certificate is in hand (ADR 0029); failing to bind stops the process.
  if (config.tls.mode !== 'off') {
    app
      .get(HttpsListener)
      .whenListening()
      .catch((e: Error) => {
        log.error(`cannot serve HTTPS: ${e.message}`);
        process.exit(1);
      });
  }
  // The key's id only (a hash of its public half): what ca-core's start log lists among the keys it trusts.
  log.log(`signing who asks with front-door key ${config.frontDoorKey.kid}`);

  // 4. Stop in order: no new HTTP requests, finish the ones in flight, then drain the bus.
  // In-flight submits may wait up to the CA timeout; never hang beyond that.
  stopOnSignals(app, nc, { log, graceMs: config.caTimeoutMs + 5_000 });
}

runMain(log, main);
