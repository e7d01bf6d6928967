import { CaNameSchema } from '@signet/contracts';
import { NatsEnvSchema, loadEnv } from '@signet/config';
import { z } from 'zod';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Everything the policy service reads from its environment. */
export const PolicyEnvSchema = NatsEnvSchema.extend({
  /** The CA this replica serves; it answers on policy.<ca>.init and policy.<ca>.verify. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The policy file, YAML or JSON by extension; relative paths are taken from the working directory. */
  SIGNET_POLICY_FILE: z.string().min(1).default('config/policy.yaml'),
  /** Most verbose level logged; `debug` also shows module registration retries. */
  SIGNET_LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
});
export type PolicyEnv = z.output<typeof PolicyEnvSchema>;

export function loadPolicyEnv(env: NodeJS.ProcessEnv = process.env): PolicyEnv {
  return loadEnv(PolicyEnvSchema, env);
}

/** Nest's levels up to and including the chosen one. */
export function logLevelsUpTo(level: (typeof LOG_LEVELS)[number]): (typeof LOG_LEVELS)[number][] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
