import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { BusClient, connectBus, createBusMicroservice } from '@signet/bus';
import { ConfigError } from '@signet/config';
import { Commands, Inboxes } from '@signet/contracts';
import { ExitServiceModule } from './app.module';
import { loadAdminAssertionKeys, loadExitEnv, logLevelsUpTo, retiredVariableWarnings } from './config/env';
import { loadExitConfig } from './config/exit-config';
import { DeadLetterCredentials } from './deadletters/dead-letter-credentials';
import { DeadLetterStore } from './deadletters/dead-letter.store';
import { DeadLettersService } from './deadletters/dead-letters.service';
import { ModuleRunner } from './delivery/module-runner';
import { waitForEventStream } from './delivery/event-stream';
import { createModule } from './modules';
import { Registration } from './registration/registration';
import { DeliveryStatus } from './status/delivery-status';

/**
 * exit-service: Signet's exit modules (AD CS ICertExit). In order:
 *  1. read and validate env, admin-api's public keys and the exit-module file (a bad one stops here, naming the field);
 *  2. connect to NATS; make sure SIGNET_EVENTS and SIGNET_DEAD_LETTERS exist;
 *  3. bind each enabled module's durable consumers and start delivering;
 *  4. serve the dead-letter and status commands, answer the CA's roll call, register each module;
 *  5. on SIGTERM/SIGINT stop pulling, end attempts in progress (they are redelivered), drain.
 */
async function main(): Promise<void> {
  const env = loadExitEnv();
  const logger = new ConsoleLogger('exit-service', { logLevels: logLevelsUpTo(env.SIGNET_LOG_LEVEL) });
  Logger.overrideLogger(logger);
  const log = new Logger('exit-service');
  for (const w of retiredVariableWarnings()) log.warn(w);
  const adminKeys = loadAdminAssertionKeys();
  if (!adminKeys) log.warn('SIGNET_ADMIN_ASSERTION_KEYS is not set: every dead-letter command is refused (admin-api\'s public key is needed to believe an administrator, ADR 0028)');
  const config = loadExitConfig(env.SIGNET_EXIT_CONFIG, env.SIGNET_CA_NAME);
  const modules = config.modules.map(createModule);
  log.log(`exit-module file ${config.source}: enabled ${modules.map((m) => m.name).join(', ') || 'none'}${config.disabled.length ? `; disabled ${config.disabled.join(', ')}` : ''}`);

  const nc = await connectBus({ url: env.SIGNET_NATS_URL, name: `signet-exit-service-${env.SIGNET_CA_NAME}`, user: env.SIGNET_NATS_USER, password: env.SIGNET_NATS_PASSWORD, inboxPrefix: Inboxes.prefix('exit-service') });
  // ca-core owns SIGNET_EVENTS (exit-service may not create it): wait for it.
  await waitForEventStream(nc, log);
  const deadLetterStore = new DeadLetterStore(nc, env.SIGNET_CA_NAME);
  await deadLetterStore.init();

  const bus = new BusClient(nc, 5_000);
  const runners = new Map<string, ModuleRunner>();
  for (const m of modules) {
    const runner = new ModuleRunner(m, {
      nc,
      ca: env.SIGNET_CA_NAME,
      deadLetters: deadLetterStore,
      readBack: (requestId) => bus.call(Commands.exitRead, env.SIGNET_CA_NAME, { requestId }, { timeoutMs: Math.min(5_000, m.delivery.timeoutMs) }),
    });
    await runner.start();
    runners.set(m.name, runner);
  }

  const status = new DeliveryStatus(nc, env.SIGNET_CA_NAME, modules, deadLetterStore);
  const app = await createBusMicroservice(ExitServiceModule.register({
      deadLetters: new DeadLettersService(deadLetterStore, runners),
      credentials: new DeadLetterCredentials(env.SIGNET_CA_NAME, adminKeys),
      status,
    }), {
    connection: nc,
    ca: env.SIGNET_CA_NAME,
    logger,
  });
  await app.listen();
  const registration = new Registration(nc, bus, env.SIGNET_CA_NAME, modules);
  registration.answerRollCall();
  void registration.announce();
  log.log(`exit-service for CA "${env.SIGNET_CA_NAME}" is delivering`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: stopping`);
    await registration.stop();
    await Promise.allSettled([...runners.values()].map((r) => r.stop()));
    await app.close().catch(() => undefined);
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(e instanceof ConfigError ? `exit-service: ${e.message}\n` : `exit-service failed to start: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
