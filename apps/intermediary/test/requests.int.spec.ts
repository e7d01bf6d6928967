import { ANONYMOUS_IDENTITY, SignetError, submitDigest } from '@signet/contracts';
import { FakeCa } from './fake-ca';
import { assertionClaims, CSR_PEM, postJson, startHarness, type Harness } from './harness';

describe('POST/GET /api/v1/requests over real NATS', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.ca.submits.length = 0;
    h.ca.onSubmit = () => FakeCa.submitted(41, 'issued');
  });

  it('issued → 201 with Location, certificate, chain, serial and the retrieval secret (not in Location), never cached', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/requests/41?ca=${h.ca.name}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { certificate: string; chain: string[] };
    expect(body).toMatchObject({ ca: h.ca.name, requestId: 41, disposition: 'issued', dispositionCode: 3, serial: '0a1b2c3d4e5f6071', retrievalSecret: FakeCa.SECRET });
    expect(body.certificate).toContain('BEGIN CERTIFICATE');
    expect(body.chain).toHaveLength(1);
  });

  it('forwards the CSR and the attributes in AD CS form, with who asks signed for exactly them (anonymous here)', async () => {
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: { CertificateTemplate: 'WebServer', san: 'dns=a.example' } });
    expect(h.ca.submits[0]).toEqual({
      request: CSR_PEM.trim(),
      format: 'pkcs10',
      attributes: 'CertificateTemplate:WebServer\nsan:dns=a.example',
      identityAssertion: expect.any(String),
    });
    const claims = await assertionClaims(h.ca.name, h.ca.submits[0].identityAssertion);
    expect(claims).toMatchObject({
      iss: 'intermediary',
      aud: `ca-core:${h.ca.name}`,
      purpose: 'submit',
      identity: ANONYMOUS_IDENTITY,
      requestSha256: submitDigest(CSR_PEM.trim()),
      attributesSha256: submitDigest('CertificateTemplate:WebServer\nsan:dns=a.example'),
    });
    expect(claims).not.toHaveProperty('idempotencyKey');
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
  });

  it('signs the idempotency key with the submit', async () => {
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM }, { 'Idempotency-Key': 'order-4799' });
    expect(await assertionClaims(h.ca.name, h.ca.submits[0].identityAssertion)).toMatchObject({ idempotencyKey: 'order-4799', attributesSha256: submitDigest('') });
  });

  it('passes an AD CS attribute string through unchanged', async () => {
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: 'CertificateTemplate:User\nsan:email=a@b.example' });
    expect(h.ca.submits[0].attributes).toBe('CertificateTemplate:User\nsan:email=a@b.example');
  });

  it('forwards the idempotency key from the header or the body', async () => {
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM }, { 'Idempotency-Key': 'order-4711' });
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, idempotencyKey: 'order-4712' });
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, idempotencyKey: 'order-4713' }, { 'Idempotency-Key': 'order-4713' });
    expect(h.ca.submits.map((s) => s.idempotencyKey)).toEqual(['order-4711', 'order-4712', 'order-4713']);
  });

  it('refuses a header and body idempotency key that differ', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, idempotencyKey: 'a' }, { 'Idempotency-Key': 'b' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_MESSAGE', details: { field: 'idempotencyKey' } });
    expect(h.ca.submits).toHaveLength(0);
  });

  it('pending → 202 with Location', async () => {
    h.ca.onSubmit = () => FakeCa.submitted(42, 'pending');
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/v1/requests/42?ca=${h.ca.name}`);
    expect(await res.json()).toMatchObject({ requestId: 42, disposition: 'pending', dispositionCode: 5, retrievalSecret: FakeCa.SECRET });
  });

  it('denied → 400 REQUEST_DENIED with the request id and the deciding rule', async () => {
    h.ca.onSubmit = () => FakeCa.submitted(43, 'denied', { message: 'key too small', decidedBy: { rule: 'key-size', field: 'publicKey.bits', value: '1024' } });
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toMatchObject({
      code: 'REQUEST_DENIED',
      message: 'key too small',
      ca: h.ca.name,
      requestId: 43,
      disposition: 'denied',
      decidedBy: { rule: 'key-size', field: 'publicKey.bits', value: '1024' },
      retrievalSecret: FakeCa.SECRET,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('failed → 500 REQUEST_FAILED with the request id', async () => {
    h.ca.onSubmit = () => FakeCa.submitted(44, 'failed', { message: 'policy module error' });
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'REQUEST_FAILED', requestId: 44, disposition: 'failed', message: 'policy module error', retrievalSecret: FakeCa.SECRET });
  });

  it.each([
    ['MALFORMED_REQUEST', 400],
    ['BAD_SIGNATURE', 400],
    ['BAD_ATTRIBUTES', 400],
    ['IDEMPOTENCY_CONFLICT', 409],
  ] as const)('a %s error from the CA → %d with the same code', async (code, status) => {
    h.ca.onSubmit = () => {
      throw new SignetError(code, `the CA says ${code}`);
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ code, message: `the CA says ${code}` });
  });

  it('POLICY_UNAVAILABLE from the CA → 503 with Retry-After, the stored request\'s id and its retrieval secret', async () => {
    h.ca.onSubmit = () => {
      throw new SignetError('POLICY_UNAVAILABLE', 'policy did not answer', { requestId: 47, retrievalSecret: FakeCa.SECRET });
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ code: 'POLICY_UNAVAILABLE', message: 'policy did not answer', details: { requestId: 47, retrievalSecret: FakeCa.SECRET } });
  });

  it('IN_PROGRESS from the CA (a retried key whose first request is still running, ADR 0034) → 409 with a short Retry-After and the request id', async () => {
    h.ca.onSubmit = () => {
      throw new SignetError('IN_PROGRESS', 'request 48 with this idempotency key is still being processed; retry later', { requestId: 48 });
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, idempotencyKey: 'order-48' });
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ code: 'IN_PROGRESS', message: 'request 48 with this idempotency key is still being processed; retry later', details: { requestId: 48 } });
  });

  it('an unexpected CA fault → 500 INTERNAL without detail', async () => {
    h.ca.onSubmit = () => {
      throw new Error('disk on fire at /var/lib/secret');
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('a CA that does not answer in time → 503 CA_UNAVAILABLE with Retry-After', async () => {
    h.ca.onSubmit = () => new Promise((resolve) => setTimeout(() => resolve(FakeCa.submitted(45, 'issued')), 1_500).unref());
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { message: string };
    expect(body).toMatchObject({ code: 'CA_UNAVAILABLE', details: { ca: h.ca.name } });
    expect(body.message).not.toContain('request.submit');
  });

  it('accepts raw application/pkcs10 (PEM, base64 and DER) with ca and attributes from the query', async () => {
    const q = `?ca=${h.ca.name}&attributes=${encodeURIComponent('CertificateTemplate:WebServer')}`;
    const der = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xde, 0xad]);
    for (const body of [CSR_PEM, 'MIIBFAKE', der]) {
      const res = await fetch(h.url(`/api/v1/requests${q}`), { method: 'POST', headers: { 'content-type': 'application/pkcs10' }, body });
      expect(res.status).toBe(201);
    }
    expect(h.ca.submits.map((s) => s.request)).toEqual([CSR_PEM.trim(), 'MIIBFAKE', der.toString('base64')]);
    expect(h.ca.submits.every((s) => s.attributes === 'CertificateTemplate:WebServer')).toBe(true);
  });

  it('GET /api/v1/requests/:id passes the Signet-Retrieval-Secret header and who asks (signed) to the CA → 200 with the result, whatever the disposition, never cached', async () => {
    h.ca.retrieves.length = 0;
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'denied', { message: 'denied by officer' });
    const res = await fetch(h.url(`/api/v1/requests/77?ca=${h.ca.name}`), { headers: { 'Signet-Retrieval-Secret': FakeCa.SECRET } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body).toMatchObject({ ca: h.ca.name, requestId: 77, disposition: 'denied', message: 'denied by officer' });
    expect(body).not.toHaveProperty('retrievalSecret');
    expect(h.ca.retrieves).toEqual([{ requestId: 77, retrievalSecret: FakeCa.SECRET, identityAssertion: expect.any(String) }]);
    expect(await assertionClaims(h.ca.name, h.ca.retrieves[0].identityAssertion)).toMatchObject({ purpose: 'retrieve', requestId: 77, identity: ANONYMOUS_IDENTITY });
  });

  it('GET without the header asks the CA as anonymous with no secret; an empty header is no header', async () => {
    h.ca.retrieves.length = 0;
    await fetch(h.url('/api/v1/requests/78'));
    await fetch(h.url('/api/v1/requests/78'), { headers: { 'Signet-Retrieval-Secret': '' } });
    expect(h.ca.retrieves).toEqual([
      { requestId: 78, identityAssertion: expect.any(String) },
      { requestId: 78, identityAssertion: expect.any(String) },
    ]);
  });

  it('GET a request the CA refuses (unknown, or not the caller\'s) → 404 NOT_FOUND, the CA\'s answer as it is', async () => {
    h.ca.onRetrieve = (r) => {
      throw new SignetError('NOT_FOUND', `request ${r.requestId} not found`, { requestId: r.requestId });
    };
    const res = await fetch(h.url('/api/v1/requests/99'), { headers: { 'Signet-Retrieval-Secret': 'sgr_wrong' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'request 99 not found', details: { requestId: 99 } });
  });

  it('GET with a retrieval secret over 256 characters → 400 BAD_MESSAGE before the CA is asked', async () => {
    h.ca.retrieves.length = 0;
    const res = await fetch(h.url('/api/v1/requests/79'), { headers: { 'Signet-Retrieval-Secret': 'x'.repeat(257) } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_MESSAGE', details: { field: 'Signet-Retrieval-Secret' } });
    expect(h.ca.retrieves).toEqual([]);
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999'])('GET /api/v1/requests/%s → 400 BAD_MESSAGE', async (id) => {
    const res = await fetch(h.url(`/api/v1/requests/${id}`));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_MESSAGE', details: { field: 'id' } });
  });

  it('logs one access line with status and request id, and never the CSR or the retrieval secret', async () => {
    h.ca.onSubmit = () => FakeCa.submitted(46, 'issued');
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'issued');
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: { san: 'dns=secret.example' } });
    await fetch(h.url('/api/v1/requests/46'), { headers: { 'Signet-Retrieval-Secret': FakeCa.SECRET } });
    const line = h.logger.lines.find((l) => l.includes('POST /api/v1/requests 201') && l.includes('requestId=46'));
    expect(line).toBeDefined();
    expect(line).toContain(`ca=${h.ca.name}`);
    expect(h.logger.lines.find((l) => l.includes('GET /api/v1/requests/46 200'))).toBeDefined();
    expect(h.logger.lines.join('\n')).not.toMatch(/MIIBFAKECSR|secret\.example|FakeRetrievalSecret/);
  });
});
