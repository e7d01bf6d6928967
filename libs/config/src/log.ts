import { z } from 'zod';

/** Nest's log levels, least detailed first: each level includes the ones before it. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type SignetLogLevel = (typeof LOG_LEVELS)[number];

/** `SIGNET_LOG_LEVEL`, read by every service: the most detailed level it prints (default `log`). */
export const LogLevelEnvSchema = z.object({ SIGNET_LOG_LEVEL: z.enum(LOG_LEVELS).default('log') });

/** The levels printed at `level`: it and every less detailed one. */
export function logLevelsUpTo(level: SignetLogLevel): SignetLogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
