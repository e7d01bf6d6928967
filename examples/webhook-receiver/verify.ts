/*
 * Verifying Signet webhook deliveries, for receivers (copy this file; it
 * needs only node:crypto). Each POST carries
 *   X-Signet-Timestamp: <unix seconds>
 *   X-Signet-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>
 *   X-Signet-Event-Id:  <event id>   (also "id" in the body)
 * Accept a delivery only if the signature matches the RAW body (before any
 * JSON parsing) and the timestamp is recent; then process each event id once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Rejects deliveries older (or further in the future) than this: an intercepted request cannot be replayed later. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function verifySignetWebhook(opts: {
  secret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  const { secret, rawBody, timestamp, signature } = opts;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Deduplication by event id: delivery is at-least-once, so the same event
 * may arrive twice (a retry after a lost answer). Keep ids at least as long
 * as the timestamp tolerance; older deliveries are refused anyway.
 */
export class SeenEvents {
  private readonly seen = new Map<string, number>();

  constructor(private readonly keepMs = DEFAULT_TOLERANCE_SECONDS * 2_000) {}

  /** True the first time an id is offered. */
  firstTime(id: string, now = Date.now()): boolean {
    for (const [k, at] of this.seen) if (now - at > this.keepMs) this.seen.delete(k);
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }
}
