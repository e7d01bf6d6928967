import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connectBus } from '@signet/bus';
import { ConfigError, envInt, loadEnv, NatsEnvSchema } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { z } from 'zod';
import { HealthController } from './health/health.controller';

const EnvSchema = NatsEnvSchema.extend({
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  SIGNET_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  SIGNET_ADMIN_PORT: envInt(8081, 0, 65535),
});

@Module({ controllers: [HealthController] })
class AdminApiModule {}

/**
 * admin-api: the operator's HTTP API (ICertAdmin/ICertView). Until the
 * administration work lands it serves only /healthz and keeps a bus
 * connection, so the deployment shape is complete.
 */
async function main(): Promise<void> {
  const log = new Logger('admin-api');
  const env = loadEnv(EnvSchema);
  const nc = await connectBus({ url: env.SIGNET_NATS_URL, name: `signet-admin-api-${env.SIGNET_CA_NAME}`, user: env.SIGNET_NATS_USER, password: env.SIGNET_NATS_PASSWORD });
  const app = await NestFactory.create(AdminApiModule, { logger: ['log', 'warn', 'error'] });
  await app.listen(env.SIGNET_ADMIN_PORT, env.SIGNET_ADMIN_HOST);
  log.log(`admin-api listening on http://${env.SIGNET_ADMIN_HOST}:${env.SIGNET_ADMIN_PORT}`);
  const stop = async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `admin-api failed to start: ${(e as Error).message}`);
  process.exit(1);
});
