import { ErrorCode, isSignetError } from '@signet/contracts';
import { FailureLimiter, rateLimited, sourceKey, trustProxySetting, type FailureLimitOptions } from './failure-limiter';

/** A limiter on a clock the test moves by hand. */
function limiter(opts: Partial<FailureLimitOptions> = {}) {
  let t = 1_000_000;
  const l = new FailureLimiter({ limit: 3, windowMs: 60_000, maxSources: 100, now: () => t, ...opts });
  return { l, advance: (ms: number) => (t += ms) };
}

describe('FailureLimiter', () => {
  it('ok/a source may fail `limit` times; the next attempt is refused until its oldest failure leaves the window', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.check('1.2.3.4')).toEqual({ ok: true });
      l.fail('1.2.3.4');
      advance(10_000);
    }
    // Failures at 0 s, 10 s, 20 s; now 30 s: the first counts until 60 s.
    expect(l.check('1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 30 });
    advance(29_999);
    expect(l.check('1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1);
    expect(l.check('1.2.3.4')).toEqual({ ok: true });
    // One more failure fills the window again (10 s, 20 s, 60 s): refused until 70 s.
    l.fail('1.2.3.4');
    expect(l.check('1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('ok/sources are counted apart', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) l.fail('10.0.0.1');
    expect(l.check('10.0.0.1').ok).toBe(false);
    expect(l.check('10.0.0.2')).toEqual({ ok: true });
  });

  it('ok/failures spread wider than the window never trip it', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 50; i++) {
      expect(l.check('a').ok).toBe(true);
      l.fail('a');
      advance(20_001);
    }
  });

  it('ok/forgets a source once its failures have left the window', () => {
    const { l, advance } = limiter();
    l.fail('a');
    expect(l.size).toBe(1);
    advance(60_000);
    expect(l.check('a')).toEqual({ ok: true });
    expect(l.size).toBe(0);
  });

  it('ok/bounded: past maxSources the source whose last failure is oldest goes first', () => {
    const { l, advance } = limiter({ maxSources: 3 });
    for (const s of ['a', 'b', 'c']) {
      l.fail(s);
      l.fail(s);
      l.fail(s);
      advance(1);
    }
    l.fail('a'); // a failed most recently now; b is the oldest
    l.fail('d');
    expect(l.size).toBe(3);
    expect(l.check('b')).toEqual({ ok: true });
    expect(l.check('a').ok).toBe(false);
    expect(l.check('c').ok).toBe(false);
  });

  it('ok/keeps at most `limit` failures per source', () => {
    const { l, advance } = limiter({ limit: 2 });
    for (let i = 0; i < 100; i++) {
      l.fail('a');
      advance(100);
    }
    // Only the last two count: the wait is measured from the second-to-last failure.
    expect(l.check('a')).toEqual({ ok: false, retryAfterSeconds: 60 });
  });

  it('ok/limit 0 turns it off', () => {
    const { l } = limiter({ limit: 0 });
    for (let i = 0; i < 100; i++) l.fail('a');
    expect(l.enabled).toBe(false);
    expect(l.check('a')).toEqual({ ok: true });
    expect(l.size).toBe(0);
  });

  it('ok/assertAllowed throws RATE_LIMITED with the wait in the details', () => {
    const { l } = limiter({ limit: 1 });
    expect(() => l.assertAllowed('a')).not.toThrow();
    l.fail('a');
    let err: unknown;
    try {
      l.assertAllowed('a');
    } catch (e) {
      err = e;
    }
    expect(isSignetError(err) && err.code).toBe(ErrorCode.RateLimited);
    expect((err as { details: unknown }).details).toEqual({ reason: 'authentication_failures', retryAfterSeconds: 60 });
    expect(rateLimited(5).message).toBe('too many failed authentication attempts from this address; retry in 5 s');
  });

  it.each([
    ['fail/negative limit', { limit: -1 }],
    ['fail/zero window', { windowMs: 0 }],
    ['fail/no sources', { maxSources: 0 }],
  ])('%s', (_n, opts) => {
    expect(() => limiter(opts)).toThrow(/FailureLimiter/);
  });
});

describe('sourceKey', () => {
  it.each([
    ['ok/IPv4 as is', '203.0.113.7', '203.0.113.7'],
    ['ok/IPv4-mapped IPv6 as IPv4', '::ffff:203.0.113.7', '203.0.113.7'],
    ['ok/IPv6 loopback', '::1', '0:0:0:0::/64'],
    ['ok/IPv6 per /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['ok/IPv6 compressed, same /64', '2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['ok/IPv6 leading zeros and case', '2001:0DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['ok/IPv6 compression inside the prefix', '2001:db8::1', '2001:db8:0:0::/64'],
    ['ok/IPv6 with a zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['ok/IPv6 with an IPv4 tail', '64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['ok/no address', undefined, 'unknown'],
  ])('%s', (_n, ip, key) => {
    expect(sourceKey(ip)).toBe(key);
  });
});

describe('trustProxySetting', () => {
  it.each([
    ['ok/unset', undefined, false],
    ['ok/empty', '', false],
    ['ok/false', 'false', false],
    ['ok/zero hops', '0', false],
    ['ok/hops', '1', 1],
    ['ok/names, addresses and blocks', 'loopback, 10.0.0.0/8,192.0.2.10,fd00::/8', ['loopback', '10.0.0.0/8', '192.0.2.10', 'fd00::/8']],
  ])('%s', (_n, value, expected) => {
    expect(trustProxySetting(value)).toEqual(expected);
  });

  it.each([
    ['fail/true trusts everyone', 'true', /any client/],
    ['fail/too many hops', '11', /at most 10/],
    ['fail/a host name', 'proxy.example.com', /not an address/],
    ['fail/a bad prefix', '10.0.0.0/33', /not an address/],
    ['fail/an empty entry', 'loopback,', /not an address/],
  ])('%s', (_n, value, message) => {
    expect(() => trustProxySetting(value)).toThrow(message);
  });
});
