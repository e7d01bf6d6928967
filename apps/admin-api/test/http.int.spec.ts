import { expectError, startHarness, type Harness } from './harness';

/** Every error is `{code, message, details?}` JSON, whatever produced it. */
describe('HTTP edge errors', () => {
  let h: Harness;
  let officer: string;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_BODY_LIMIT_BYTES: '2048' });
    officer = h.token('olivia', ['officer']);
  });
  afterAll(() => h.close());

  it('413 TOO_LARGE for a body over SIGNET_BODY_LIMIT_BYTES, naming the limit', async () => {
    const body = await expectError(await h.call('PATCH', '/api/v1/requests/1/attributes', { token: officer, body: { a: 'x'.repeat(3000) } }), 413, 'TOO_LARGE');
    expect(body.details).toEqual({ limitBytes: 2048 });
  });

  it('an empty JSON body is no body; invalid JSON is 400 BAD_MESSAGE', async () => {
    const res = await h.call('POST', '/api/v1/requests/1/deny', { token: officer, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const bad = await fetch(h.url('/api/v1/requests/1/deny'), { method: 'POST', headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' }, body: '{"reason": nope' });
    expect((await expectError(bad, 400, 'BAD_MESSAGE')).message).toBe('request body is not valid JSON');
  });

  it.each([
    ['form data', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
  ])('415 UNSUPPORTED_MEDIA_TYPE for %s', async (_n, type) => {
    const res = await fetch(h.url('/api/v1/requests/1/deny'), { method: 'POST', headers: { authorization: `Bearer ${officer}`, 'content-type': type }, body: 'reason=x' });
    await expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(h.ca.received('adminDeny').filter((m) => m.requestId === 1 && m.reason)).toEqual([]);
  });

  it('404 NOT_FOUND JSON for an unknown route or method, without asking for a token', async () => {
    await expectError(await fetch(h.url('/nowhere')), 404, 'NOT_FOUND');
    await expectError(await fetch(h.url('/api/v1/requests/1'), { method: 'DELETE' }), 404, 'NOT_FOUND');
  });

  it('400 for a path with a broken %-escape, still JSON', async () => {
    await expectError(await h.call('GET', '/api/v1/requests/%E0%A4%A', { token: officer }), 400, 'BAD_MESSAGE');
  });

  it('sets security headers', async () => {
    const res = await fetch(h.url('/healthz'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('never logs bodies, tokens or query strings', async () => {
    await h.call('PATCH', '/api/v1/requests/1/attributes', { token: officer, body: { Secret: 'hunter2-value' } });
    await h.call('GET', '/api/v1/view?filter=Subject%20prefix%20CN%3Dprivate-person', { token: officer });
    const log = h.logger.lines.join('\n');
    expect(log).toContain('PATCH /api/v1/requests/1/attributes 200');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('private-person');
    expect(log).not.toContain(officer);
  });
});

describe('probes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('GET /healthz → 200 without a token', async () => {
    const res = await fetch(h.url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200 when the CA answers on the bus', async () => {
    expect(await (await fetch(h.url('/readyz'))).json()).toEqual({ status: 'ready', bus: 'connected', ca: h.ca.name });
  });

  it('GET /readyz → 503 with Retry-After once the CA is gone, then once the bus is gone', async () => {
    await h.ca.stop();
    const noCa = await fetch(h.url('/readyz'));
    expect(noCa.headers.get('retry-after')).toBe('5');
    expect((await expectError(noCa, 503, 'CA_UNAVAILABLE')).details).toEqual({ bus: 'connected', ca: h.ca.name });
    await h.nc.close();
    expect((await expectError(await fetch(h.url('/readyz')), 503, 'CA_UNAVAILABLE')).details).toMatchObject({ bus: 'disconnected' });
    expect((await fetch(h.url('/healthz'))).status).toBe(200);
  });
});
