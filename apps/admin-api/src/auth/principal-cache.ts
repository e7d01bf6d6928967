import { type Principal } from '@signet/contracts';

interface Entry {
  principal: Principal;
  /** The revocation epoch ca-core read with this answer. */
  epoch: number;
  expires: number;
}

/**
 * Remembers positive token checks for a short while, keyed by the token's
 * hash (never the token). Bounded: the oldest entry goes first when full.
 * Negative answers are never cached, so a token created a moment ago works
 * at once.
 *
 * Revocation takes effect at once (ADR 0024): every answer carries the
 * CA's revocation epoch it was read under, and the cache keeps the highest
 * epoch it has heard of, from a revocation notice or from any answer. An
 * entry read under a lower epoch may predate a revocation and is no longer
 * used; a notice that never arrives is noticed by the next answer with a
 * higher epoch, and `ttlMs` bounds the rest.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;
  private suspended = false;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): Principal | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.expires <= this.now() || e.epoch < this.epoch) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.principal;
  }

  /**
   * Caches an answer read under `epoch`. An answer older than a revocation
   * already heard of is not cached (the notice may have overtaken it); a
   * newer one retires every entry read before it.
   */
  set(hash: string, principal: Principal, epoch: number): void {
    if (epoch < this.epoch) return;
    this.raiseEpoch(epoch);
    if (this.ttlMs <= 0 || this.suspended) return;
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { principal, epoch, expires: this.now() + this.ttlMs });
  }

  /** A token named `name` was revoked, raising the epoch to `epoch`: nothing cached before it is used again. */
  revoked(name: string, epoch: number): void {
    this.raiseEpoch(epoch);
    for (const [hash, e] of this.entries) if (e.principal.name === name) this.entries.delete(hash);
  }

  /** Forgets everything (the bus was lost: notices may have been missed meanwhile). */
  clear(): void {
    this.entries.clear();
  }

  /** Forgets everything and caches nothing from now on (revocation notices can no longer be heard). */
  suspend(): void {
    this.suspended = true;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The highest revocation epoch heard of. */
  get currentEpoch(): number {
    return this.epoch;
  }

  private raiseEpoch(epoch: number): void {
    if (epoch <= this.epoch) return;
    this.epoch = epoch;
    for (const [hash, e] of this.entries) if (e.epoch < epoch) this.entries.delete(hash);
  }
}
