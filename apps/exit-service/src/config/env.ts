import { readVerifyKeys, type VerifyKeys } from '@signet/assertions';
import { ConfigError, LogLevelEnvSchema, NatsEnvSchema, loadEnv } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { z } from 'zod';

export { LOG_LEVELS, logLevelsUpTo } from '@signet/config';

/** Everything exit-service reads from its environment (module secrets are named by the config file). */
export const ExitEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  /** The CA whose events this replica delivers. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The exit-module file (YAML or JSON); relative paths are taken from the working directory. */
  SIGNET_EXIT_CONFIG: z.string().min(1).default('config/exit-modules.yaml'),
});
export type ExitEnv = z.output<typeof ExitEnvSchema>;

/**
 * Variables earlier versions read and this one ignores, with what to do
 * instead: exit-service no longer sets its own CPU priority (ADR 0021).
 */
const RETIRED: Record<string, string> = {
  SIGNET_EXIT_CPU_PRIORITY: 'scheduling priority is the deployment\'s: systemd CPUWeight=idle or Nice=19, compose cpu_shares (npm start runs exit-service at nice 19)',
  SIGNET_EXIT_IDLE_CGROUP: 'cgroups are the deployment\'s: systemd CPUWeight=idle, or a cgroup_parent in compose',
};

/** One warning per retired variable that is still set. */
export function retiredVariableWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(RETIRED)
    .filter(([name]) => env[name] !== undefined)
    .map(([name, instead]) => `${name} is no longer read; ${instead}`);
}

export function loadExitEnv(env: NodeJS.ProcessEnv = process.env): ExitEnv {
  return loadEnv(ExitEnvSchema, env);
}


/**
 * admin-api's public keys (SIGNET_ADMIN_ASSERTION_KEYS or _FILE, SPKI PEM
 * blocks, the variable ca-core reads): the dead-letter commands believe an
 * administrator only from an assertion one of them verifies (ADR 0028).
 * Unset: undefined, and every dead-letter command is refused. A file that
 * cannot be read or a key that is not Ed25519 stops the start, naming the
 * variable.
 */
export function loadAdminAssertionKeys(env: NodeJS.ProcessEnv = process.env): VerifyKeys | undefined {
  const problems: string[] = [];
  const keys = readVerifyKeys(env, 'SIGNET_ADMIN_ASSERTION_KEYS', problems);
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  return keys;
}
