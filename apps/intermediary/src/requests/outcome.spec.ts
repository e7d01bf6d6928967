import { CR_DISP, type Disposition, type RequestResult, type SubmitResult } from '@signet/contracts';
import { parseRequestId, requestLocation, retrieveOutcome, submitOutcome } from './outcome';

const result = (disposition: Disposition, extra: Partial<RequestResult> = {}): RequestResult => ({
  requestId: 12,
  disposition,
  dispositionCode: CR_DISP[disposition],
  message: disposition,
  ...extra,
});
const SECRET = `sgr_${'s'.repeat(43)}`;
const submitted = (disposition: Disposition, extra: Partial<RequestResult> = {}): SubmitResult => ({ ...result(disposition, extra), retrievalSecret: SECRET });

describe('submitOutcome (disposition → HTTP)', () => {
  it.each([
    ['issued', 201, true, undefined],
    ['pending', 202, true, undefined],
    ['in_process', 202, true, undefined],
    ['revoked', 200, true, undefined],
    ['denied', 400, false, 'REQUEST_DENIED'],
    ['failed', 500, false, 'REQUEST_FAILED'],
  ] as const)('ok/%s → %d, with the retrieval secret in the body only, never cached', (disposition, status, hasLocation, code) => {
    const o = submitOutcome('ca-1', submitted(disposition));
    expect(o.status).toBe(status);
    expect(o.headers.Location).toBe(hasLocation ? '/api/v1/requests/12?ca=ca-1' : undefined);
    expect(o.headers['Cache-Control']).toBe('no-store');
    expect(o.body).toMatchObject({ ca: 'ca-1', requestId: 12, disposition, dispositionCode: CR_DISP[disposition], retrievalSecret: SECRET });
    expect(o.body.code).toBe(code);
    expect(JSON.stringify(o.headers)).not.toContain(SECRET);
  });

  it('ok/issued carries certificate, chain and serial; absent fields are left out', () => {
    const o = submitOutcome('ca-1', submitted('issued', { certificate: 'PEM', chain: ['CA'], serial: '0a' }));
    expect(o.body).toEqual({ ca: 'ca-1', requestId: 12, disposition: 'issued', dispositionCode: 3, message: 'issued', certificate: 'PEM', chain: ['CA'], serial: '0a', retrievalSecret: SECRET });
    expect(Object.keys(submitOutcome('ca-1', submitted('pending')).body)).not.toContain('certificate');
  });

  it('ok/denied names the deciding rule', () => {
    const o = submitOutcome('ca-1', submitted('denied', { decidedBy: { rule: 'san-allowlist', field: 'san', value: 'evil.example' } }));
    expect(o.body).toMatchObject({ code: 'REQUEST_DENIED', decidedBy: { rule: 'san-allowlist', field: 'san', value: 'evil.example' } });
  });

  it('ok/retrieve is 200 whatever the disposition, never cached, and shows no secret', () => {
    for (const d of ['issued', 'pending', 'denied', 'failed', 'revoked'] as const) {
      const o = retrieveOutcome('ca-1', submitted(d));
      expect(o.status).toBe(200);
      expect(o.headers).toEqual({ 'Cache-Control': 'no-store' });
      expect(o.body).not.toHaveProperty('retrievalSecret');
    }
  });

  it('ok/location escapes nothing a CA name can hold', () => {
    expect(requestLocation('a-1', 9)).toBe('/api/v1/requests/9?ca=a-1');
  });
});

describe('parseRequestId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('ok/%s', (text, id) => expect(parseRequestId(text)).toBe(id));

  it.each(['', '0', '-1', '1.0', '1e3', 'abc', ' 1', '9007199254740992', '12345678901234567'])('fail/%j', (text) => {
    expect(() => parseRequestId(text)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', details: { field: 'id' } }));
  });
});
