import { PrincipalCache } from './principal-cache';

describe('PrincipalCache', () => {
  const alice = { name: 'alice', roles: ['viewer' as const] };

  it('ok/answers within the TTL, forgets after it', () => {
    let now = 1_000;
    const c = new PrincipalCache(10_000, 10, () => now);
    c.set('h1', alice);
    now += 9_999;
    expect(c.get('h1')).toEqual(alice);
    now += 1;
    expect(c.get('h1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('ok/TTL 0 caches nothing', () => {
    const c = new PrincipalCache(0);
    c.set('h1', alice);
    expect(c.get('h1')).toBeUndefined();
  });

  it('ok/bounded: the oldest entry goes first', () => {
    const c = new PrincipalCache(10_000, 2);
    c.set('a', alice);
    c.set('b', alice);
    c.set('c', alice);
    expect([c.get('a'), c.get('b'), c.get('c')].map(Boolean)).toEqual([false, true, true]);
    expect(c.size).toBe(2);
  });
});
