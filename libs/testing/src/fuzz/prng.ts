/**
 * A small, fast, seeded pseudo-random generator (sfc32, seeded through
 * splitmix32) so that a fuzz run is repeatable: the same seed gives the same
 * inputs in the same order, on every machine. Not for anything secret.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The next 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A derived generator: one case's randomness does not shift every later case's. */
  fork(): Prng {
    return new Prng(this.u32());
  }
}

/**
 * The seed of a fuzz run: SIGNET_FUZZ_SEED when set (to repeat a run), else
 * `fallback` (a fixed seed keeps `npm test` repeatable); `random` picks a
 * fresh one instead, for long runs that should explore.
 */
export function fuzzSeed(fallback: number | 'random'): number {
  const env = process.env.SIGNET_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`SIGNET_FUZZ_SEED must be an integer 0..4294967295, got "${env}"`);
    return n;
  }
  return fallback === 'random' ? Math.floor(Math.random() * 0x1_0000_0000) : fallback;
}

/** SIGNET_FUZZ_CASES when set, else `fallback`. */
export function fuzzCases(fallback: number): number {
  const env = process.env.SIGNET_FUZZ_CASES;
  if (env === undefined || env === '') return fallback;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`SIGNET_FUZZ_CASES must be a positive integer, got "${env}"`);
  return n;
}
