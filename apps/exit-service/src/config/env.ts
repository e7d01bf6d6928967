import { LogLevelEnvSchema, NatsEnvSchema, loadEnv } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { z } from 'zod';
import { CPU_PRIORITIES } from '../cpu-priority';

export { LOG_LEVELS, logLevelsUpTo } from '@signet/config';

/** Everything exit-service reads from its environment (module secrets are named by the config file). */
export const ExitEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  /** The CA whose events this replica delivers. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The exit-module file (YAML or JSON); relative paths are taken from the working directory. */
  SIGNET_EXIT_CONFIG: z.string().min(1).default('config/exit-modules.yaml'),
  /** `idle`: SCHED_IDLE, yielding the CPU to the CA on a shared host (docker-compose and `npm start` set it); `normal` otherwise. */
  SIGNET_EXIT_CPU_PRIORITY: z.enum(CPU_PRIORITIES).default('normal'),
});
export type ExitEnv = z.output<typeof ExitEnvSchema>;

export function loadExitEnv(env: NodeJS.ProcessEnv = process.env): ExitEnv {
  return loadEnv(ExitEnvSchema, env);
}

