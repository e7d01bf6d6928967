/** One reusable OCSP response. */
export interface CachedOcsp {
  der: Buffer;
  etag: string;
  /** HTTP dates, precomputed once. */
  lastModified: string;
  expires: string;
  /** ms since epoch: nextUpdate of the response. */
  nextUpdate: number;
  /** ms since epoch: when the edge stops using it (nextUpdate or TTL, whichever is first). */
  until: number;
  serials: string[];
}

/**
 * OCSP responses by request, per CA, until the status may have changed:
 * at the response's nextUpdate, after a TTL, or as soon as a certificate
 * event names one of its serials (revoked, released, issued). Bounded:
 * the oldest entries go first. A response fetched while an event for its CA
 * arrived is not kept (it may predate the change): `epoch` tells.
 */
export class OcspCache {
  private readonly entries = new Map<string, CachedOcsp>();
  private readonly bySerial = new Map<string, Set<string>>();
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  private static key(ca: string, request: string): string {
    return `${ca} ${request}`;
  }

  /** Changes whenever a certificate event for the CA arrives. */
  epoch(ca: string): number {
    return this.epochs.get(ca) ?? 0;
  }

  get(ca: string, request: string, now = Date.now()): CachedOcsp | undefined {
    const k = OcspCache.key(ca, request);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (now >= e.until) {
      this.remove(k, e);
      return undefined;
    }
    return e;
  }

  /** Keeps a response unless an event for its CA arrived since `epoch` was read. */
  put(ca: string, request: string, entry: Omit<CachedOcsp, 'until'>, epoch: number, now = Date.now()): boolean {
    if (this.maxEntries === 0 || this.ttlMs === 0 || epoch !== this.epoch(ca)) return false;
    const until = Math.min(entry.nextUpdate, now + this.ttlMs);
    if (until <= now) return false;
    const k = OcspCache.key(ca, request);
    const old = this.entries.get(k);
    if (old) this.remove(k, old);
    while (this.entries.size >= this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedOcsp];
      this.remove(oldestKey, oldest);
    }
    this.entries.set(k, { ...entry, until });
    for (const s of entry.serials) {
      const sk = `${ca} ${s}`;
      let set = this.bySerial.get(sk);
      if (!set) this.bySerial.set(sk, (set = new Set()));
      set.add(k);
    }
    return true;
  }

  /** A certificate event: drop what it may have changed. No serial → everything of the CA. */
  invalidate(ca: string, serial?: string): void {
    this.epochs.set(ca, this.epoch(ca) + 1);
    if (serial === undefined) {
      for (const [k, e] of this.entries) if (k.startsWith(`${ca} `)) this.remove(k, e);
      return;
    }
    const keys = this.bySerial.get(`${ca} ${serial}`);
    if (!keys) return;
    for (const k of [...keys]) {
      const e = this.entries.get(k);
      if (e) this.remove(k, e);
    }
  }

  private remove(k: string, e: CachedOcsp): void {
    this.entries.delete(k);
    const ca = k.slice(0, k.indexOf(' '));
    for (const s of e.serials) {
      const sk = `${ca} ${s}`;
      const set = this.bySerial.get(sk);
      set?.delete(k);
      if (set?.size === 0) this.bySerial.delete(sk);
    }
  }
}
