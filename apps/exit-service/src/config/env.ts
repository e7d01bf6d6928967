import { LogLevelEnvSchema, NatsEnvSchema, loadEnv } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { z } from 'zod';
import { CPU_PRIORITIES } from '../cpu-priority';
import { IDLE_CGROUP } from '../idle-cgroup';

export { LOG_LEVELS, logLevelsUpTo } from '@signet/config';

/** Everything exit-service reads from its environment (module secrets are named by the config file). */
export const ExitEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  /** The CA whose events this replica delivers. */
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  /** The exit-module file (YAML or JSON); relative paths are taken from the working directory. */
  SIGNET_EXIT_CONFIG: z.string().min(1).default('config/exit-modules.yaml'),
  /** `idle`: SCHED_IDLE, yielding the CPU to the CA on a shared host (docker-compose and `npm start` set it); `normal` otherwise. */
  SIGNET_EXIT_CPU_PRIORITY: z.enum(CPU_PRIORITIES).default('normal'),
  /**
   * At `idle`: the idle cgroup (cpu.idle 1) exit-service makes as a child of
   * its own cpu cgroup and moves into where it may (ADR 0013); `off` leaves
   * cgroups alone. One name, no slashes.
   */
  SIGNET_EXIT_IDLE_CGROUP: z
    .string()
    .regex(/^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/, 'a cgroup name (letters, digits, ".", "_", "-"; at most 64) or "off"')
    .default(IDLE_CGROUP)
    .transform((v) => (v === 'off' ? (false as const) : v)),
});
export type ExitEnv = z.output<typeof ExitEnvSchema>;

export function loadExitEnv(env: NodeJS.ProcessEnv = process.env): ExitEnv {
  return loadEnv(ExitEnvSchema, env);
}

