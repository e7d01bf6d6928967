import { AcmeProblem } from './problem';

/**
 * Per-account and per-address limits (ADR 0035), 0 meaning none. Counted
 * in the shared database, so every replica sees the same counts; two
 * requests racing at the limit may both pass (a limit, not a quota).
 */
export interface AcmeLimits {
  windowSeconds: number;
  ordersPerAccount: number;
  ordersPerIp: number;
  failedValidationsPerAccount: number;
  failedValidationsPerIp: number;
  pendingAuthzsPerAccount: number;
  pendingAuthzsPerIp: number;
}

/** How long a client over the pending-authorisation limit should wait: those end by validation or expiry, not by a window. */
export const PENDING_RETRY_AFTER_SECONDS = 60;

/** rateLimited with Retry-After when `count` (plus what the request adds) would pass `limit`. */
export function checkLimit(what: string, count: number, adding: number, limit: number, retryAfterSeconds: number): void {
  if (limit <= 0 || count + adding <= limit) return;
  throw new AcmeProblem('rateLimited', `too many ${what} (limit ${limit}); retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
}
