import { exponentialBackoff } from '@signet/bus';
import { type RetrySettings } from '../config/exit-config.schema';

/**
 * The redelivery schedule of one module, pure so it can be tested as a table.
 *
 * `backoffTable()` is what the JetStream consumer is configured with: entry
 * n-1 is how long the server waits before delivering again after attempt n
 * went unanswered (the process died or hung). `nakDelay()` is what a
 * failed attempt asks for explicitly (nats-server 2.9 redelivers a plain
 * NAK at once, ignoring the consumer's backoff), the same table with jitter
 * so a crowd of failures does not come back in lock-step.
 */
export function backoffTable(r: RetrySettings): number[] {
  const delay = exponentialBackoff(r);
  return Array.from({ length: r.attempts }, (_, i) => delay(i + 1));
}

/** Delay before attempt `deliveryCount + 1`, after attempt `deliveryCount` (1-based) failed. */
export function nakDelay(r: RetrySettings, deliveryCount: number, random: () => number = Math.random): number {
  const table = backoffTable(r);
  const base = table[Math.min(Math.max(deliveryCount, 1), table.length) - 1];
  const spread = base * r.jitter * (random() * 2 - 1);
  return Math.max(1, Math.round(base + spread));
}

/**
 * max_deliver on the consumer: every configured attempt plus one. The extra
 * delivery only arrives when the last real attempt never reported back (the
 * process died mid-attempt); it is turned into a dead letter at once, so
 * nothing leaves the consumer without a trace.
 */
export function maxDeliver(r: RetrySettings): number {
  return r.attempts + 1;
}

/** How often a message in hand is touched (+WPI) so the server does not redeliver it while it is worked on. */
export function heartbeatMs(r: RetrySettings): number {
  return Math.max(25, Math.min(5_000, Math.floor(backoffTable(r)[0] / 3)));
}
