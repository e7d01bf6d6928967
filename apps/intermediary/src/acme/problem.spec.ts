import { ErrorCode, SignetError } from '@signet/contracts';
import { AcmeProblem, toProblem } from './problem';

describe('problem documents (RFC 7807, RFC 8555 6.7)', () => {
  it('ok/type is the ACME URN, status the type\'s, subproblems and extra fields kept', () => {
    const p = new AcmeProblem('badSignatureAlgorithm', 'no', { fields: { algorithms: ['ES256'] }, subproblems: [{ type: 'urn:ietf:params:acme:error:malformed', detail: 'x' }] });
    expect(p.toDocument()).toEqual({ type: 'urn:ietf:params:acme:error:badSignatureAlgorithm', detail: 'no', status: 400, algorithms: ['ES256'], subproblems: [{ type: 'urn:ietf:params:acme:error:malformed', detail: 'x' }] });
    expect(new AcmeProblem('rateLimited', 'slow down').status).toBe(429);
    expect(new AcmeProblem('malformed', 'big', { status: 413 }).status).toBe(413);
  });

  it.each([
    ['ok/a CA that does not answer → serverInternal 503 with Retry-After', new SignetError(ErrorCode.CaUnavailable, 'CA "x" did not answer'), 'serverInternal', 503],
    ['ok/a CSR the CA cannot read → badCSR', new SignetError(ErrorCode.MalformedRequest, 'bad'), 'badCSR', 400],
    ['ok/anything else → serverInternal without its message', new Error('stack and secrets'), 'serverInternal', 500],
  ])('%s', (_n, e, type, status) => {
    const p = toProblem(e);
    expect([p.type, p.status]).toEqual([type, status]);
    if (!(e instanceof SignetError)) expect(p.detail).not.toMatch(/secrets/);
  });
});
