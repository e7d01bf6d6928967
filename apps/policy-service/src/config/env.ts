import { CaNameSchema } from '@signet/contracts';
import { LogLevelEnvSchema, NatsEnvSchema, loadEnv } from '@signet/config';
import { z } from 'zod';

export { LOG_LEVELS, logLevelsUpTo } from '@signet/config';

/** Everything the policy service reads from its environment. */
export const PolicyEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  /** The CA this replica serves; it answers on policy.<ca>.init and policy.<ca>.verify. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The policy file, YAML or JSON by extension; relative paths are taken from the working directory. */
  SIGNET_POLICY_FILE: z.string().min(1).default('config/policy.yaml'),
});
export type PolicyEnv = z.output<typeof PolicyEnvSchema>;

export function loadPolicyEnv(env: NodeJS.ProcessEnv = process.env): PolicyEnv {
  return loadEnv(PolicyEnvSchema, env);
}

