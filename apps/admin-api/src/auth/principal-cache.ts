import { type Principal } from '@signet/contracts';

interface Entry {
  principal: Principal;
  expires: number;
}

/**
 * Remembers positive token checks for a short while, keyed by the token's
 * hash (never the token). Bounded: the oldest entry goes first when full.
 * Negative answers are never cached, so a token created a moment ago works
 * at once; a revoked token keeps working at most `ttlMs`.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): Principal | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.principal;
  }

  set(hash: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { principal, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
