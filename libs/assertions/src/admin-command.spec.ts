import { UsedAssertionIds } from './admin-command';

describe('UsedAssertionIds', () => {
  it('ok/accepts an id once, and forgets it a minute after its assertion expired', () => {
    let now = 1_000_000;
    const used = new UsedAssertionIds(() => now);
    const exp = new Date(now + 30_000);
    expect(used.firstUse('a', exp)).toBe(true);
    expect(used.firstUse('a', exp)).toBe(false);
    expect(used.firstUse('b', exp)).toBe(true);
    now += 30_000 + 60_000; // one minute past expiry: still kept (the clock tolerance)
    expect(used.firstUse('a', exp)).toBe(false);
    now += 1;
    expect(used.firstUse('c', new Date(now + 30_000))).toBe(true);
    expect(used.size).toBe(1); // a and b are gone: the set is bounded by what arrived in about 90 s
  });
});
