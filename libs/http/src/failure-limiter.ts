import { z } from 'zod';
import { ErrorCode, SignetError } from '@signet/contracts';
import { isIP } from 'node:net';

/**
 * Counts failed authentications per source and refuses a source that has
 * failed `limit` times within the last `windowMs` (a sliding window: each
 * failure counts for exactly `windowMs`). Successes neither count nor
 * reset the count, so a caller holding one good token cannot interleave it
 * to guess others. In memory, per process (ADR 0024): each replica counts
 * on its own.
 *
 * Memory is bounded: at most `maxSources` sources with at most `limit`
 * timestamps each; when full, the source whose last failure is oldest is
 * forgotten first. Time comes from `now`, so tests set it.
 */
export interface FailureLimitOptions {
  /** Failures allowed per source within the window; the next attempt is refused. 0 turns the limiter off. */
  limit: number;
  windowMs: number;
  /** Most sources tracked at once. */
  maxSources: number;
  now?: () => number;
}

export type LimitCheck = { ok: true } | { ok: false; retryAfterSeconds: number };

export class FailureLimiter {
  /** Per source, the times of its failures within the window, oldest first; Map order = least recently failed first. */
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly opts: FailureLimitOptions) {
    if (!Number.isInteger(opts.limit) || opts.limit < 0) throw new Error('FailureLimiter: limit must be an integer ≥ 0');
    if (!(opts.windowMs > 0)) throw new Error('FailureLimiter: windowMs must be > 0');
    if (!Number.isInteger(opts.maxSources) || opts.maxSources < 1) throw new Error('FailureLimiter: maxSources must be an integer ≥ 1');
    this.now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.opts.limit > 0;
  }

  /** May this source try to authenticate now? */
  check(source: string): LimitCheck {
    if (!this.enabled) return { ok: true };
    const times = this.recent(source);
    if (!times || times.length < this.opts.limit) return { ok: true };
    // Allowed again once its oldest counted failure leaves the window.
    const waitMs = times[0] + this.opts.windowMs - this.now();
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Throws RATE_LIMITED (429 with Retry-After at the HTTP edge) when the source may not try now. */
  assertAllowed(source: string): void {
    const c = this.check(source);
    if (!c.ok) throw rateLimited(c.retryAfterSeconds);
  }

  /** Records one failed authentication of this source. */
  fail(source: string): void {
    if (!this.enabled) return;
    const times = this.recent(source) ?? [];
    times.push(this.now());
    if (times.length > this.opts.limit) times.splice(0, times.length - this.opts.limit);
    // Re-insert, so the Map's first key is always the least recently failing source.
    this.failures.delete(source);
    this.failures.set(source, times);
    while (this.failures.size > this.opts.maxSources) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }

  /** Sources tracked now (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  /** The source's failures still inside the window; forgets a source with none. */
  private recent(source: string): number[] | undefined {
    const times = this.failures.get(source);
    if (!times) return undefined;
    const since = this.now() - this.opts.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= since) drop++;
    if (drop) times.splice(0, drop);
    if (times.length === 0) {
      this.failures.delete(source);
      return undefined;
    }
    return times;
  }
}

/** The refusal: 429 at the HTTP edge, `Retry-After` from `details.retryAfterSeconds`. */
export function rateLimited(retryAfterSeconds: number): SignetError {
  return new SignetError(
    ErrorCode.RateLimited,
    `too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`,
    { reason: 'authentication_failures', retryAfterSeconds },
    true,
  );
}

/**
 * The key a request's source is counted under, from the address Express
 * reports (`req.ip`: the socket's peer, or the client named by
 * X-Forwarded-For when the app trusts that proxy). IPv4 and IPv4-mapped
 * IPv6 count per address; other IPv6 per /64, the block one host usually
 * holds, so a client cannot evade the limit by walking its own subnet.
 */
export function sourceKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const addr = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return mapped[1];
  if (isIP(addr) !== 6) return addr;
  const [head, tail = ''] = addr.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (a:b::1.2.3.4) lies in the low 64 bits; only the first four groups matter.
  const groups = addr.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}

/** Express's `trust proxy` values a deployment may choose (never `true`: see trustProxySetting). */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which proxies in front of the service may name the client in
 * X-Forwarded-For, from a setting such as SIGNET_ADMIN_TRUST_PROXY:
 * empty or `false` (the socket's peer is the client), a number of proxy
 * hops, or a comma-separated list of addresses, CIDR blocks and Express's
 * names `loopback`, `linklocal`, `uniquelocal`. `true` is refused: trusting
 * the header from anyone lets every client choose the address it is
 * counted under. Throws a message naming the bad entry.
 */
export function trustProxySetting(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') throw new Error('"true" would trust X-Forwarded-For from any client; name the proxies (addresses, CIDR blocks, loopback) or a hop count');
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new Error('at most 10 proxy hops');
    return hops === 0 ? false : hops;
  }
  const entries = v.split(',').map((e) => e.trim());
  for (const e of entries) {
    const [addr, bits, ...more] = e.split('/');
    const kind = isIP(addr);
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (kind === 4 ? 32 : 128));
    if (PROXY_NAMES.has(e) || (kind !== 0 && bitsOk && more.length === 0)) continue;
    throw new Error(`"${e.slice(0, 64)}" is not an address, a CIDR block, loopback, linklocal or uniquelocal`);
  }
  return entries;
}

/** The environment variable for trustProxySetting, as a zod schema (admin-api's SIGNET_ADMIN_TRUST_PROXY, the intermediary's SIGNET_TRUST_PROXY). */
export const TrustProxyEnvSchema = z
  .string()
  .optional()
  .transform((v, ctx): TrustProxy => {
    try {
      return trustProxySetting(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

