/**
 * When to renew a certificate: once `fraction` of its lifetime has passed
 * (2/3 by default: a 30-day certificate is renewed after 20 days, leaving
 * 10 for retries while the CA is away). Pure: the caller brings the dates.
 */
export function renewalTime(notBefore: Date, notAfter: Date, fraction: number): Date {
  const life = notAfter.getTime() - notBefore.getTime();
  return new Date(notBefore.getTime() + Math.max(0, life) * fraction);
}

/** Longest delay a Node timer takes (about 24.8 days); longer waits are taken in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The next timer delay towards `at` from `now`: never negative, never above MAX_TIMER_MS. */
export function nextTimerDelay(at: Date, now: Date): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, at.getTime() - now.getTime()));
}
