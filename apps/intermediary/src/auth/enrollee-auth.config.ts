import { envInt, loadEnv } from '@signet/config';
import { z } from 'zod';

/**
 * What enrollee authentication reads from the intermediary's environment
 * (ADR 0032; the same variables and limits as admin-api's, ADR 0024),
 * validated when the module is built at start.
 */
export const EnrolleeAuthEnvSchema = z.object({
  /** Failed authentications one source may have within the window before it gets 429; 0 turns the limit off. */
  SIGNET_AUTH_FAILURE_LIMIT: envInt(10, 0, 100),
  SIGNET_AUTH_FAILURE_WINDOW_SECONDS: envInt(60, 1, 3600),
  /** Most sources the limiter remembers at once (memory bound). */
  SIGNET_AUTH_FAILURE_SOURCES: envInt(10_000, 1, 100_000),
});

export interface EnrolleeAuthConfig {
  failures: { limit: number; windowMs: number; maxSources: number };
}

export function loadEnrolleeAuthConfig(env: NodeJS.ProcessEnv = process.env): EnrolleeAuthConfig {
  const e = loadEnv(EnrolleeAuthEnvSchema, env);
  return { failures: { limit: e.SIGNET_AUTH_FAILURE_LIMIT, windowMs: e.SIGNET_AUTH_FAILURE_WINDOW_SECONDS * 1000, maxSources: e.SIGNET_AUTH_FAILURE_SOURCES } };
}
