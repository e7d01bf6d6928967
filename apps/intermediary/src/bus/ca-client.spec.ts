import { ErrorCode, SignetError } from '@signet/contracts';
import { toPublicError } from './ca-client';

describe('toPublicError', () => {
  it('ok/CA_UNAVAILABLE loses the subject name and names the CA', () => {
    const e = toPublicError(new SignetError(ErrorCode.CaUnavailable, 'no service answers on ca.x.request.submit'), 'x') as SignetError;
    expect(e).toMatchObject({ code: 'CA_UNAVAILABLE', details: { ca: 'x' } });
    expect(e.message).not.toContain('request.submit');
  });

  it('ok/BAD_MESSAGE on the bus is our fault, not the client\'s', () => {
    expect(toPublicError(new SignetError(ErrorCode.BadMessage, 'invalid ca.request.submit request'), 'x')).toMatchObject({ code: 'INTERNAL' });
  });

  it.each(['BAD_SIGNATURE', 'NOT_FOUND', 'POLICY_UNAVAILABLE', 'IDEMPOTENCY_CONFLICT'] as const)('ok/%s passes through', (code) => {
    const e = new SignetError(code, 'm');
    expect(toPublicError(e, 'x')).toBe(e);
  });

  it('ok/a non-Signet error passes through for the filter to hide', () => {
    const e = new Error('x');
    expect(toPublicError(e, 'x')).toBe(e);
  });
});
