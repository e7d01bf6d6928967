import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { BusClient, connectBus, createBusMicroservice } from '@signet/bus';
import { ConfigError } from '@signet/config';
import { Commands, Inboxes } from '@signet/contracts';
import { AppModule } from './app.module';
import { loadPolicyEnv, logLevelsUpTo } from './config/env';
import { loadPolicyFile } from './config/policy-file';
import { MODULE_INFO } from './module-info';
import { ModuleAnnouncer } from './registration/announcer';

/**
 * The policy service: 1. read and validate env and the policy file (a bad
 * one stops here), 2. connect to NATS, 3. serve policy.<ca>.init/verify in
 * the policy queue group, 4. announce the module to ca-core in the
 * background, 5. on SIGTERM/SIGINT stop serving and drain the connection.
 */
async function main(): Promise<void> {
  const env = loadPolicyEnv();
  const logger = new ConsoleLogger('policy-service', { logLevels: logLevelsUpTo(env.SIGNET_LOG_LEVEL) });
  Logger.overrideLogger(logger);
  const log = new Logger('policy-service');

  const policy = loadPolicyFile(env.SIGNET_POLICY_FILE);
  log.log(`policy ${env.SIGNET_POLICY_FILE}: templates ${Object.keys(policy.templates).join(', ')}; disposition ${policy.dispositionMode}`);

  const nc = await connectBus({
    url: env.SIGNET_NATS_URL,
    name: `policy-service.${env.SIGNET_CA_NAME}`,
    user: env.SIGNET_NATS_USER,
    password: env.SIGNET_NATS_PASSWORD,
    inboxPrefix: Inboxes.prefix('policy-service'),
  });
  const app = await createBusMicroservice(AppModule.forRoot(policy), { connection: nc, ca: env.SIGNET_CA_NAME, logger });
  await app.listen();
  log.log(`serving CA ${env.SIGNET_CA_NAME}`);

  const client = new BusClient(nc, 2_000);
  const announcer = new ModuleAnnouncer({
    register: () => client.call(Commands.moduleRegister, env.SIGNET_CA_NAME, { ...MODULE_INFO }),
    log: new Logger('ModuleAnnouncer'),
  });
  void announcer.run();

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    announcer.stop();
    try {
      await app.close();
      await nc.drain();
      process.exit(0);
    } catch (e) {
      log.error(`shutdown failed: ${(e as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  // A configuration problem is the operator's to fix: say what, not where in our code.
  if (e instanceof ConfigError) {
    process.stderr.write(`policy-service: ${e.message}\n`);
  } else {
    process.stderr.write(`policy-service: failed to start: ${(e as Error)?.message ?? String(e)}\n`);
  }
  process.exit(1);
});
