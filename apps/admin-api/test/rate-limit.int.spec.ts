import { expectError, startHarness, TestClock, type Harness } from './harness';

/*
 * Failed authentications are limited per source (ADR 0024). The clock is
 * the test's; sources other than the test's own address come in through
 * X-Forwarded-For from a trusted proxy (SIGNET_ADMIN_TRUST_PROXY=loopback),
 * which is how a deployment behind a reverse proxy sees its clients.
 */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('rate limit on failed authentications (real NATS, fake ca-core)', () => {
  const clock = new TestClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_FAILURE_LIMIT: '3', SIGNET_AUTH_FAILURE_WINDOW_SECONDS: '60', SIGNET_ADMIN_TRUST_PROXY: 'loopback' }, { clock });
  });
  afterAll(() => h.close());

  const bad = (ip: string) => h.call('GET', '/api/v1/me', { token: 'not-a-token-anyone-has', headers: from(ip) });

  it('refuses a source with 429 and Retry-After after `limit` refused tokens; successes before that are unaffected', async () => {
    const good = h.token('alice', ['viewer']);
    const ip = '203.0.113.1';
    await expectError(await bad(ip), 401, 'UNAUTHORIZED');
    await expectError(await bad(ip), 401, 'UNAUTHORIZED');
    expect((await h.call('GET', '/api/v1/me', { token: good, headers: from(ip) })).status).toBe(200);
    clock.advance(15_000);
    await expectError(await bad(ip), 401, 'UNAUTHORIZED');

    const res = await bad(ip);
    const body = await expectError(res, 429, 'RATE_LIMITED');
    // The first failure (at 0 s) counts until 60 s; it is 15 s now.
    expect(res.headers.get('retry-after')).toBe('45');
    expect(body).toEqual({
      code: 'RATE_LIMITED',
      message: 'too many failed authentication attempts from this address; retry in 45 s',
      details: { reason: 'authentication_failures', retryAfterSeconds: 45 },
    });
    expect(h.logger.lines.join('\n')).toContain(`refusing authentication from ${ip} for 45 s: 3 failed within 60 s`);
  });

  it('refuses every authenticated call from that source, a good token too, without asking ca-core; public routes stay open', async () => {
    const ip = '203.0.113.2';
    for (let i = 0; i < 3; i++) await expectError(await bad(ip), 401, 'UNAUTHORIZED');
    const good = h.token('bob', ['viewer']);
    const asked = h.ca.received('adminAuthenticate').length;
    await expectError(await h.call('GET', '/api/v1/me', { token: good, headers: from(ip) }), 429, 'RATE_LIMITED');
    await expectError(await h.call('GET', '/api/v1/me', { headers: from(ip) }), 429, 'RATE_LIMITED');
    expect(h.ca.received('adminAuthenticate').length).toBe(asked);
    expect((await h.call('GET', '/healthz', { headers: from(ip) })).status).toBe(200);
    // Another source is not affected.
    expect((await h.call('GET', '/api/v1/me', { token: good, headers: from('203.0.113.3') })).status).toBe(200);

    // Once the window has room again, the good token works.
    clock.advance(60_000);
    expect((await h.call('GET', '/api/v1/me', { token: good, headers: from(ip) })).status).toBe(200);
  });

  it('does not count calls without a token (nothing was guessed)', async () => {
    const ip = '203.0.113.4';
    for (let i = 0; i < 10; i++) await expectError(await h.call('GET', '/api/v1/me', { headers: from(ip) }), 401, 'UNAUTHORIZED');
    expect((await h.call('GET', '/api/v1/me', { token: h.token('carol', ['viewer']), headers: from(ip) })).status).toBe(200);
  });

  it('counts malformed Authorization headers like unknown tokens', async () => {
    const ip = '203.0.113.5';
    for (let i = 0; i < 3; i++) await expectError(await h.call('GET', '/api/v1/me', { headers: { ...from(ip), authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'UNAUTHORIZED');
    await expectError(await bad(ip), 429, 'RATE_LIMITED');
  });

  it('counts an IPv6 client per /64', async () => {
    for (const ip of ['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:ffff::3']) await expectError(await bad(ip), 401, 'UNAUTHORIZED');
    await expectError(await bad('2001:db8:5:6::4'), 429, 'RATE_LIMITED');
    await expectError(await bad('2001:db8:5:7::1'), 401, 'UNAUTHORIZED');
  });
});

describe('rate limit without a trusted proxy', () => {
  const clock = new TestClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_FAILURE_LIMIT: '2' }, { clock });
  });
  afterAll(() => h.close());

  it('ignores X-Forwarded-For: a client cannot pick the address it is counted under', async () => {
    for (const ip of ['198.51.100.1', '198.51.100.2']) {
      await expectError(await h.call('GET', '/api/v1/me', { token: 'nobody', headers: from(ip) }), 401, 'UNAUTHORIZED');
    }
    const res = await h.call('GET', '/api/v1/me', { token: 'nobody', headers: from('198.51.100.3') });
    await expectError(res, 429, 'RATE_LIMITED');
    expect(res.headers.get('retry-after')).toBe('60');
  });
});

describe('rate limit while ca-core does not answer', () => {
  const clock = new TestClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_FAILURE_LIMIT: '1' }, { startCa: false, clock });
  });
  afterAll(() => h.close());

  it('does not count 503s: the token may be fine', async () => {
    for (let i = 0; i < 3; i++) await expectError(await h.call('GET', '/api/v1/me', { token: 'maybe-fine' }), 503, 'CA_UNAVAILABLE');
  });
});

describe('rate limit off (SIGNET_AUTH_FAILURE_LIMIT=0)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_FAILURE_LIMIT: '0' });
  });
  afterAll(() => h.close());

  it('never answers 429', async () => {
    for (let i = 0; i < 15; i++) await expectError(await h.call('GET', '/api/v1/me', { token: 'nobody' }), 401, 'UNAUTHORIZED');
  });
});
