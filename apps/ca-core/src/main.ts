import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { connectBus, createBusMicroservice, ensureEventStream } from '@signet/bus';
import { ConfigError, loadEnv, LogLevelEnvSchema, logLevelsUpTo } from '@signet/config';
import { CaCoreModule } from './app.module';
import { loadCaConfig } from './config/ca-config';
import { openDatabase } from './database/data-source';
import { Inboxes } from '@signet/contracts';

async function main(): Promise<void> {
  // Configuration is validated before anything connects: a bad config stops here.
  const { SIGNET_LOG_LEVEL } = loadEnv(LogLevelEnvSchema);
  const logger = new ConsoleLogger('ca-core', { logLevels: logLevelsUpTo(SIGNET_LOG_LEVEL) });
  Logger.overrideLogger(logger);
  const log = new Logger('ca-core');
  const config = loadCaConfig();
  const ds = await openDatabase(config.databaseUrl);
  const nc = await connectBus({ url: config.nats.url, name: `signet-ca-core-${config.caName}`, user: config.nats.user, password: config.nats.password, inboxPrefix: Inboxes.prefix('ca-core') });
  await ensureEventStream(nc);
  const app = await createBusMicroservice(CaCoreModule.register({ config, ds, nc }), { connection: nc, ca: config.caName, logger });
  await app.listen();
  log.log(`ca-core for CA "${config.caName}" is serving`);
  // Not fatal (anonymous and bus submitters still work), but every front door's request will be refused: say so once, at start.
  if (!config.frontDoorKeys) log.warn('SIGNET_FRONT_DOOR_KEYS is not set: every identity a front door signs is refused (UNAUTHORIZED), so the intermediary cannot submit');
  else log.log(`trusting ${config.frontDoorKeys.byKid.size} front-door key(s): ${[...config.frontDoorKeys.byKid.keys()].join(', ')}`);
  if (config.adminAssertionKeys) log.log(`administration: trusting ${config.adminAssertionKeys.byKid.size} admin-api key(s) (${[...config.adminAssertionKeys.byKid.keys()].join(', ')})`);
  else log.warn('administration is off: SIGNET_ADMIN_ASSERTION_KEYS is not set, so every admin command is refused (ADR 0028)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: stopping`);
    await app.close();
    await nc.drain().catch(() => undefined);
    await ds.destroy().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  // ConfigError lists every problem; other start failures are reported without stack noise.
  console.error(e instanceof ConfigError ? e.message : `ca-core failed to start: ${(e as Error).message}`);
  process.exit(1);
});
