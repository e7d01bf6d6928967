import { CSR_PEM, postJson, startHarness, uniqueCaName, type Harness } from './harness';

/** Every error is `{code, message, details?}` JSON, whatever produced it. */
describe('HTTP edge errors', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.ca.submits.length = 0;
  });

  async function expectError(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code, message: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |<html/i);
    return body;
  }

  it('413 TOO_LARGE for a body over SIGNET_BODY_LIMIT_BYTES', async () => {
    const csr = 'A'.repeat(h.config.http.bodyLimitBytes + 1);
    const body = await expectError(await postJson(h.url('/api/v1/requests'), { csr }), 413, 'TOO_LARGE');
    expect(body.details).toEqual({ limitBytes: h.config.http.bodyLimitBytes });
    expect(h.ca.submits).toHaveLength(0);
  });

  it('413 TOO_LARGE for a raw pkcs10 body over the limit', async () => {
    const res = await fetch(h.url('/api/v1/requests'), {
      method: 'POST',
      headers: { 'content-type': 'application/pkcs10' },
      body: Buffer.alloc(h.config.http.bodyLimitBytes + 1, 0x30),
    });
    await expectError(res, 413, 'TOO_LARGE');
  });

  it('400 BAD_MESSAGE for invalid JSON', async () => {
    const res = await fetch(h.url('/api/v1/requests'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"csr": nope' });
    const body = await expectError(res, 400, 'BAD_MESSAGE');
    expect(body.message).toBe('request body is not valid JSON');
  });

  it.each([
    ['missing csr', {}, 'csr'],
    ['csr not a string', { csr: 42 }, 'csr'],
    ['attribute value not a string', { csr: CSR_PEM, attributes: { san: 1 } }, 'attributes'],
    ['unknown field', { csr: CSR_PEM, csrr: 'x' }, 'csrr'],
  ])('400 BAD_MESSAGE naming the field: %s', async (_n, payload, field) => {
    const body = await expectError(await postJson(h.url('/api/v1/requests'), payload), 400, 'BAD_MESSAGE');
    expect(body.message).toContain(field);
    expect(JSON.stringify(body.details)).toContain(field);
  });

  it.each([
    ['a JSON array', []],
    ['a JSON string', 'csr'],
  ])('400 BAD_MESSAGE for %s as the body', async (_n, payload) => {
    await expectError(await postJson(h.url('/api/v1/requests'), payload), 400, 'BAD_MESSAGE');
  });

  it('400 BAD_MESSAGE for an empty csr, and for a CA name that cannot exist', async () => {
    await expectError(await postJson(h.url('/api/v1/requests'), { csr: '  ' }), 400, 'BAD_MESSAGE');
    const body = await expectError(await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: 'Not A CA' }), 400, 'BAD_MESSAGE');
    expect(body.details).toEqual({ field: 'ca' });
  });

  it('400 MALFORMED_REQUEST for a csr that is neither PEM nor base64, before any bus call', async () => {
    await expectError(await postJson(h.url('/api/v1/requests'), { csr: 'hello, world!' }), 400, 'MALFORMED_REQUEST');
    await expectError(await postJson(h.url('/api/v1/requests'), { csr: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----' }), 400, 'MALFORMED_REQUEST');
    expect(h.ca.submits).toHaveLength(0);
  });

  it('400 BAD_ATTRIBUTES for attributes that are not name:value lines', async () => {
    await expectError(await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: 'no colon here' }), 400, 'BAD_ATTRIBUTES');
    await expectError(await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: { 'a:b': 'c' } }), 400, 'BAD_ATTRIBUTES');
    expect(h.ca.submits).toHaveLength(0);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
  ])('415 UNSUPPORTED_MEDIA_TYPE for %s', async (_n, type) => {
    const res = await fetch(h.url('/api/v1/requests'), { method: 'POST', headers: { 'content-type': type }, body: 'csr=x' });
    await expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('415 UNSUPPORTED_MEDIA_TYPE without a Content-Type', async () => {
    const res = await fetch(h.url('/api/v1/requests'), { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    await expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('404 UNKNOWN_CA for a CA nobody serves, after asking the bus again', async () => {
    const body = await expectError(await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: uniqueCaName('nope') }), 404, 'UNKNOWN_CA');
    expect(body.details).toMatchObject({ ca: expect.stringMatching(/^nope-/) });
  });

  it('404 NOT_FOUND JSON for an unknown route or method', async () => {
    await expectError(await fetch(h.url('/nowhere')), 404, 'NOT_FOUND');
    await expectError(await fetch(h.url('/api/v1/requests'), { method: 'DELETE' }), 404, 'NOT_FOUND');
  });

  it('400 for a path with a broken %-escape, still JSON', async () => {
    await expectError(await fetch(h.url('/api/v1/requests/%E0%A4%A')), 400, 'BAD_MESSAGE');
  });

  it('sets security headers', async () => {
    const res = await fetch(h.url('/healthz'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
