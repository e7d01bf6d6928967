import { PrincipalCache } from './principal-cache';

describe('PrincipalCache', () => {
  const alice = { name: 'alice', roles: ['viewer' as const] };
  const bob = { name: 'bob', roles: ['officer' as const] };

  it('ok/answers within the TTL, forgets after it', () => {
    let now = 1_000;
    const c = new PrincipalCache(10_000, 10, () => now);
    c.set('h1', alice, 0);
    now += 9_999;
    expect(c.get('h1')).toEqual(alice);
    now += 1;
    expect(c.get('h1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('ok/TTL 0 caches nothing', () => {
    const c = new PrincipalCache(0);
    c.set('h1', alice, 0);
    expect(c.get('h1')).toBeUndefined();
  });

  it('ok/bounded: the oldest entry goes first', () => {
    const c = new PrincipalCache(10_000, 2);
    c.set('a', alice, 0);
    c.set('b', alice, 0);
    c.set('c', alice, 0);
    expect([c.get('a'), c.get('b'), c.get('c')].map(Boolean)).toEqual([false, true, true]);
    expect(c.size).toBe(2);
  });

  describe('revocation (ADR 0024)', () => {
    it('ok/a notice retires every entry read under an older epoch, the revoked name first of all', () => {
      const c = new PrincipalCache(10_000);
      c.set('a', alice, 3);
      c.set('b', bob, 3);
      c.revoked('alice', 4);
      expect(c.get('a')).toBeUndefined();
      // Bob's answer may predate the revocation too (epochs say a revocation happened, not whose): asked again.
      expect(c.get('b')).toBeUndefined();
      expect(c.currentEpoch).toBe(4);
      // Answers read under the new epoch are cached again.
      c.set('b', bob, 4);
      expect(c.get('b')).toEqual(bob);
    });

    it('ok/a notice that repeats or lags behind drops the name but nothing read since', () => {
      const c = new PrincipalCache(10_000);
      c.set('b', bob, 7);
      c.set('a', alice, 7);
      c.revoked('alice', 5);
      expect(c.get('a')).toBeUndefined();
      expect(c.get('b')).toEqual(bob);
      expect(c.currentEpoch).toBe(7);
    });

    it('ok/an answer with a higher epoch stands in for a notice that never came', () => {
      const c = new PrincipalCache(10_000);
      c.set('a', alice, 0);
      c.set('b', bob, 1);
      expect(c.get('a')).toBeUndefined();
      expect(c.get('b')).toEqual(bob);
    });

    it('ok/an answer read before a revocation already heard of is not cached (the notice overtook it)', () => {
      const c = new PrincipalCache(10_000);
      c.revoked('alice', 2);
      c.set('a', alice, 1);
      expect(c.get('a')).toBeUndefined();
      expect(c.size).toBe(0);
    });

    it('ok/clear forgets everything; suspend also stops caching', () => {
      const c = new PrincipalCache(10_000);
      c.set('a', alice, 0);
      c.clear();
      expect(c.get('a')).toBeUndefined();
      c.set('a', alice, 0);
      expect(c.get('a')).toEqual(alice);
      c.suspend();
      expect(c.get('a')).toBeUndefined();
      c.set('a', alice, 0);
      expect(c.get('a')).toBeUndefined();
    });
  });
});
