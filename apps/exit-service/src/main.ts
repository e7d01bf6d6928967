import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { connectBus } from '@signet/bus';
import { ConfigError, loadEnv } from '@signet/config';
import { ExitEnvSchema } from './config';

/**
 * exit-service: delivers CA events to downstream systems (file, webhook, mail).
 * Until the exit-module work lands it only connects to the bus, so the
 * deployment shape (five services) is complete and health-checked.
 */
async function main(): Promise<void> {
  const log = new Logger('exit-service');
  const env = loadEnv(ExitEnvSchema);
  const nc = await connectBus({ url: env.SIGNET_NATS_URL, name: `signet-exit-service-${env.SIGNET_CA_NAME}`, user: env.SIGNET_NATS_USER, password: env.SIGNET_NATS_PASSWORD });
  log.log(`exit-service for CA "${env.SIGNET_CA_NAME}" connected; no exit modules are enabled yet`);
  const stop = async () => {
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `exit-service failed to start: ${(e as Error).message}`);
  process.exit(1);
});
