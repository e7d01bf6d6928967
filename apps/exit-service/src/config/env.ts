import { NatsEnvSchema, loadEnv } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { z } from 'zod';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Everything exit-service reads from its environment (module secrets are named by the config file). */
export const ExitEnvSchema = NatsEnvSchema.extend({
  /** The CA whose events this replica delivers. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The exit-module file (YAML or JSON); relative paths are taken from the working directory. */
  SIGNET_EXIT_CONFIG: z.string().min(1).default('config/exit-modules.yaml'),
  SIGNET_LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
});
export type ExitEnv = z.output<typeof ExitEnvSchema>;

export function loadExitEnv(env: NodeJS.ProcessEnv = process.env): ExitEnv {
  return loadEnv(ExitEnvSchema, env);
}

/** Nest's levels up to and including the chosen one. */
export function logLevelsUpTo(level: (typeof LOG_LEVELS)[number]): (typeof LOG_LEVELS)[number][] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
