import { isSignetError } from '@signet/contracts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff: `initialDelayMs · multiplierⁿ⁻¹` after failed attempt n, never more than `maxDelayMs`. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
  /** 2 unless given; 1 waits the same every time. */
  multiplier?: number;
}

/** The wait after failed attempt `attempt` (from 1), in whole milliseconds. */
export function exponentialBackoff(b: Backoff): (attempt: number) => number {
  const multiplier = b.multiplier ?? 2;
  return (attempt) => Math.round(Math.min(b.initialDelayMs * multiplier ** (attempt - 1), b.maxDelayMs));
}

export interface RetryOptions {
  /** Attempts in all, the first one included; `Infinity` tries until it succeeds, is refused or is stopped. */
  attempts: number;
  /** The wait after failed attempt n (from 1); usually `exponentialBackoff(...)`. */
  delayMs: (attempt: number) => number;
  /** Stops retrying and ends a pending wait at once (shutdown). */
  signal?: AbortSignal;
  /**
   * Whether an error is worth another attempt. By default every error but a
   * SignetError the other side marked not retryable: it answered, and the
   * same message will not change its mind.
   */
  retryable?: (error: unknown) => boolean;
  /** Told of each failure that will be retried or was the last attempt; `nextDelayMs` is undefined after the last. */
  onFailure?: (error: unknown, attempt: number, nextDelayMs: number | undefined) => void;
  /** Injected by tests to run without real time; rejects when `signal` aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type RetryOutcome<T> =
  | { outcome: 'done'; value: T }
  /** An error that `retryable` turned down. */
  | { outcome: 'refused'; error: unknown }
  /** Every attempt failed; the last one's error. */
  | { outcome: 'gave-up'; error: unknown }
  /** The signal aborted before an attempt succeeded. */
  | { outcome: 'stopped' };

const retryableByDefault = (e: unknown) => !isSignetError(e) || e.retryable;
// A pending retry never keeps the process alive on its own.
const realWait = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal, ref: false });

/**
 * Runs `attempt` until it resolves, waiting `delayMs(n)` after failed
 * attempt n. Never throws: the outcome says how it ended. The one retry
 * loop of the services' background work (module registration, the policy
 * module's Initialize); exit-service's redelivery schedule uses the same
 * `exponentialBackoff`, run by JetStream.
 */
export async function retryWithBackoff<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<RetryOutcome<T>> {
  const signal = opts.signal ?? new AbortController().signal;
  const retryable = opts.retryable ?? retryableByDefault;
  const wait = opts.wait ?? realWait;
  for (let n = 1; ; n++) {
    if (signal.aborted) return { outcome: 'stopped' };
    try {
      return { outcome: 'done', value: await attempt(n) };
    } catch (error) {
      if (signal.aborted) return { outcome: 'stopped' };
      if (!retryable(error)) return { outcome: 'refused', error };
      const nextDelayMs = n < opts.attempts ? opts.delayMs(n) : undefined;
      opts.onFailure?.(error, n, nextDelayMs);
      if (nextDelayMs === undefined) return { outcome: 'gave-up', error };
      try {
        await wait(nextDelayMs, signal);
      } catch {
        return { outcome: 'stopped' };
      }
    }
  }
}
