import { ErrorCode, SignetError } from '@signet/contracts';
import { FakeCa } from './fake-ca';
import { expectError, startHarness, type Harness } from './harness';

describe('requests (ICertAdmin on requests)', () => {
  let h: Harness;
  let officer: string;
  beforeAll(async () => {
    h = await startHarness();
    officer = h.token('olivia', ['officer']);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.ca.calls.length = 0;
    for (const k of Object.keys(h.ca.handlers)) delete h.ca.handlers[k as keyof typeof h.ca.handlers];
  });

  it('resubmit answers the new disposition and names the actor to ca-core', async () => {
    const res = await h.call('POST', '/api/v1/requests/12/resubmit', { token: officer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ca: h.ca.name, requestId: 12, disposition: 'issued', dispositionCode: 3, serial: '0a0b', certificate: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(h.ca.received('adminResubmit')).toEqual([{ requestId: 12, actor: { name: 'olivia', roles: ['officer'] } }]);
  });

  it('409 WRONG_STATE from ca-core passes through (a failed request cannot be resubmitted)', async () => {
    h.ca.handlers.adminResubmit = () => {
      throw new SignetError(ErrorCode.WrongState, 'cannot resubmit a request that is failed', { disposition: 'failed' });
    };
    const body = await expectError(await h.call('POST', '/api/v1/requests/3/resubmit', { token: officer }), 409, 'WRONG_STATE');
    expect(body).toMatchObject({ message: 'cannot resubmit a request that is failed', details: { disposition: 'failed' } });
  });

  it('404 NOT_FOUND from ca-core passes through', async () => {
    h.ca.handlers.adminGetRequest = () => {
      throw new SignetError(ErrorCode.NotFound, 'no request 99');
    };
    await expectError(await h.call('GET', '/api/v1/requests/99', { token: officer }), 404, 'NOT_FOUND');
  });

  it.each(['0', '-1', 'abc', '1.5', '99999999999999999'])('400 for request id %p, before any bus call', async (id) => {
    await expectError(await h.call('POST', `/api/v1/requests/${id}/resubmit`, { token: officer }), 400, 'BAD_MESSAGE');
    expect(h.ca.received('adminResubmit')).toEqual([]);
  });

  it('resubmit refuses a body with fields (nothing is silently ignored)', async () => {
    await expectError(await h.call('POST', '/api/v1/requests/1/resubmit', { token: officer, body: { force: true } }), 400, 'BAD_MESSAGE');
  });

  it('deny passes the reason and answers denied', async () => {
    const res = await h.call('POST', '/api/v1/requests/5/deny', { token: officer, body: { reason: 'not ours' } });
    expect(await res.json()).toMatchObject({ requestId: 5, disposition: 'denied', dispositionCode: 2 });
    expect(h.ca.received('adminDeny')).toEqual([{ requestId: 5, reason: 'not ours', actor: { name: 'olivia', roles: ['officer'] } }]);
  });

  it.each([
    ['a JSON object', { Department: 'Build', Owner: 'ops@example.com' }, {}, 'Department:Build\nOwner:ops@example.com'],
    ['a JSON string', 'Department:Build\nOwner:ops', {}, 'Department:Build\nOwner:ops'],
    ['text/plain', 'Department:Build', { 'content-type': 'text/plain' }, 'Department:Build'],
  ])('set attributes from %s → the AD CS string on the bus', async (_n, body, headers, sent) => {
    const res = await h.call('PATCH', '/api/v1/requests/4/attributes', { token: officer, body, headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { requestId: number }).requestId).toBe(4);
    expect(h.ca.received('adminSetAttributes')).toEqual([{ requestId: 4, attributes: sent, actor: expect.any(Object) }]);
  });

  it.each([
    ['a line without a colon', 'no colon', 'BAD_ATTRIBUTES'],
    ['a value that is not a string', { a: 1 }, 'BAD_MESSAGE'],
    ['an empty object', {}, 'BAD_MESSAGE'],
    ['an array', ['a:b'], 'BAD_MESSAGE'],
  ])('set attributes refuses %s', async (_n, body, code) => {
    await expectError(await h.call('PATCH', '/api/v1/requests/4/attributes', { token: officer, body }), 400, code);
    expect(h.ca.received('adminSetAttributes')).toEqual([]);
  });

  it.each([
    ['der shorthand', { critical: true, der: 'MAMCAQE=' }, { critical: true, disabled: false, value: { type: 'der', value: 'MAMCAQE=' } }],
    ['typed string', { value: { type: 'string', value: 'hello' } }, { critical: false, disabled: false, value: { type: 'string', value: 'hello' } }],
    ['typed long, disabled', { disabled: true, value: { type: 'long', value: 42 } }, { critical: false, disabled: true, value: { type: 'long', value: 42 } }],
    ['typed date', { value: { type: 'date', value: '2030-01-01T00:00:00Z' } }, { critical: false, disabled: false, value: { type: 'date', value: '2030-01-01T00:00:00Z' } }],
  ])('set extension with %s', async (_n, body, sent) => {
    const res = await h.call('PUT', '/api/v1/requests/4/extensions/1.3.6.1.4.1.99999.1', { token: officer, body });
    expect(res.status).toBe(200);
    expect(h.ca.received('adminSetExtension')).toEqual([{ requestId: 4, oid: '1.3.6.1.4.1.99999.1', ...sent, actor: expect.any(Object) }]);
  });

  it.each([
    ['both der and value', '1.2.3', { der: 'AA==', value: { type: 'long', value: 1 } }, 'value'],
    ['neither', '1.2.3', { critical: true }, 'value'],
    ['a bad OID', 'not.an.oid', { der: 'AA==' }, 'oid'],
    ['der not base64', '1.2.3', { der: 'not base64!' }, 'value'],
    ['long out of range', '1.2.3', { value: { type: 'long', value: 2 ** 40 } }, 'value'],
    ['an unknown type', '1.2.3', { value: { type: 'float', value: 1.5 } }, 'value'],
  ])('set extension refuses %s, naming the field', async (_n, oid, body, field) => {
    const res = await expectError(await h.call('PUT', `/api/v1/requests/4/extensions/${oid}`, { token: officer, body }), 400, 'BAD_MESSAGE');
    expect(JSON.stringify(res)).toContain(field);
    expect(h.ca.received('adminSetExtension')).toEqual([]);
  });

  it('get request answers the detail as ca-core sends it', async () => {
    h.ca.handlers.adminGetRequest = (m) => FakeCa.detail(m.requestId, { attributes: [{ name: 'Department', displayName: 'Department', value: 'Build', origin: 'admin' }] });
    const res = await h.call('GET', '/api/v1/requests/8', { token: officer });
    expect(await res.json()).toMatchObject({ requestId: 8, attributes: [{ name: 'Department', origin: 'admin' }], request: expect.stringContaining('CERTIFICATE REQUEST') });
  });
});

describe('certificates (ICertAdmin on certificates)', () => {
  let h: Harness;
  let officer: string;
  beforeAll(async () => {
    h = await startHarness();
    officer = h.token('olivia', ['officer']);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.ca.calls.length = 0;
  });

  it.each([
    ['a reason name', { reason: 'keyCompromise' }, { reason: 1 }],
    ['a name in any case', { reason: 'CERTIFICATEHOLD' }, { reason: 6 }],
    ['a reason number', { reason: 4 }, { reason: 4 }],
    ['no reason (unspecified)', undefined, { reason: 0 }],
    ['dates', { reason: 'superseded', effectiveAt: '2026-02-01T00:00:00Z', invalidityDate: '2026-01-15T00:00:00Z' }, { reason: 4, effectiveAt: '2026-02-01T00:00:00Z', invalidityDate: '2026-01-15T00:00:00Z' }],
  ])('revoke with %s', async (_n, body, sent) => {
    const res = await h.call('POST', '/api/v1/certificates/0A:1B:2C/revoke', { token: officer, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ca: h.ca.name, serial: '0a1b2c', status: 'revoked', reason: sent.reason });
    expect(h.ca.received('adminRevoke')).toEqual([{ serial: '0a1b2c', ...sent, actor: { name: 'olivia', roles: ['officer'] } }]);
  });

  it.each([
    ['reason 7', { reason: 7 }],
    ['removeFromCRL (release does that)', { reason: 'removeFromCRL' }],
    ['an unknown name', { reason: 'lostIt' }],
    ['a date without offset', { effectiveAt: '2026-02-01 00:00' }],
    ['an unknown field', { reasons: 1 }],
  ])('revoke refuses %s', async (_n, body) => {
    await expectError(await h.call('POST', '/api/v1/certificates/0a1b/revoke', { token: officer, body }), 400, 'BAD_MESSAGE');
    expect(h.ca.received('adminRevoke')).toEqual([]);
  });

  it.each(['abc', 'xyz1', `${'ab'.repeat(33)}`])('400 for serial %p', async (serial) => {
    await expectError(await h.call('GET', `/api/v1/certificates/${serial}/status`, { token: officer }), 400, 'BAD_MESSAGE');
  });

  it('release answers the status; a non-hold revocation is 409 from ca-core', async () => {
    expect(await (await h.call('POST', '/api/v1/certificates/0a1b/release', { token: officer })).json()).toMatchObject({ serial: '0a1b', status: 'valid' });
    h.ca.handlers.adminRelease = () => {
      throw new SignetError(ErrorCode.WrongState, 'only a certificate on hold (reason 6) can be released');
    };
    await expectError(await h.call('POST', '/api/v1/certificates/0a1b/release', { token: officer }), 409, 'WRONG_STATE');
    delete h.ca.handlers.adminRelease;
  });

  it('status names the reason', async () => {
    h.ca.handlers.adminCertStatus = (m) => FakeCa.status(m.serial, { status: 'revoked', caDisposition: 2, reason: 6 });
    expect(await (await h.call('GET', '/api/v1/certificates/0a1b/status', { token: officer })).json()).toMatchObject({ status: 'revoked', reason: 6, reasonName: 'certificateHold' });
    delete h.ca.handlers.adminCertStatus;
  });

  describe('import (ICertAdmin::ImportCertificate)', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

    it('201 with the new request, its Location, and the certificate and actor passed to ca-core as given', async () => {
      const res = await h.call('POST', '/api/v1/certificates/import', { token: officer, body: { certificate: pem } });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe('/api/v1/requests/41');
      expect(await res.json()).toMatchObject({ requestId: 41, requestType: 'imported', request: null, disposition: 'issued', certificate: { serial: '4a5b', pem } });
      expect(h.ca.received('adminImportCertificate')).toEqual([{ certificate: pem, actor: { name: 'olivia', roles: ['officer'] } }]);
    });

    it.each([
      ['no body', undefined],
      ['no certificate', {}],
      ['text that is not PEM', { certificate: 'MIIB' }],
      ['an unknown field', { certificate: pem, template: 'WebServer' }],
      ['a certificate over the limit', { certificate: `${pem}${'A'.repeat(25_000)}` }],
    ])('400 BAD_MESSAGE for %s, before any bus call', async (_n, body) => {
      await expectError(await h.call('POST', '/api/v1/certificates/import', { token: officer, body }), 400, 'BAD_MESSAGE');
      expect(h.ca.received('adminImportCertificate')).toEqual([]);
    });

    it.each([
      [ErrorCode.AlreadyExists, 409, { serial: '4a5b', requestId: 7 }],
      [ErrorCode.ForeignCertificate, 400, { issuer: 'CN=Someone Else' }],
      [ErrorCode.MalformedCertificate, 400, undefined],
    ])('%s from ca-core is %i with its details', async (code, status, details) => {
      h.ca.handlers.adminImportCertificate = () => {
        throw new SignetError(code, 'refused', details);
      };
      const body = await expectError(await h.call('POST', '/api/v1/certificates/import', { token: officer, body: { certificate: pem } }), status, code);
      expect(body.details).toEqual(details);
    });

    it('a viewer is 403 and ca-core is never asked', async () => {
      const viewer = h.token('vera', ['viewer']);
      await expectError(await h.call('POST', '/api/v1/certificates/import', { token: viewer, body: { certificate: pem } }), 403, 'FORBIDDEN');
      expect(h.ca.received('adminImportCertificate')).toEqual([]);
    });
  });
});
