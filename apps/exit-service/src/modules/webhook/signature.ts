import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the shared
 * key, sent as `X-Signet-Signature: v1=<hex>` next to
 * `X-Signet-Timestamp: <unix seconds>`. Signing the timestamp with the body
 * lets a receiver refuse old requests (replays) without trusting a header
 * an attacker could change. Receivers: examples/webhook-receiver/verify.ts.
 */
export const SIGNATURE_HEADER = 'x-signet-signature';
export const TIMESTAMP_HEADER = 'x-signet-timestamp';
export const EVENT_ID_HEADER = 'x-signet-event-id';
export const EVENT_HEADER = 'x-signet-event';

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The check a receiver makes (the same as the example's): signature over the raw body, timestamp within tolerance. */
export function verify(opts: { secret: string; body: string; timestamp: string | undefined; signature: string | undefined; toleranceSeconds?: number; nowSeconds?: number }): boolean {
  const { secret, body, timestamp, signature } = opts;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
