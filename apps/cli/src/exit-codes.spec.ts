import { ExitCode, exitCodeForDisposition, exitCodeForError } from './exit-codes';

describe('exitCodeForError', () => {
  it.each([
    ['ok/denied', 400, 'REQUEST_DENIED', ExitCode.Denied],
    ['ok/failed', 500, 'REQUEST_FAILED', ExitCode.Denied],
    ['ok/wrong state', 409, 'WRONG_STATE', ExitCode.Conflict],
    ['ok/idempotency conflict', 409, 'IDEMPOTENCY_CONFLICT', ExitCode.Conflict],
    ['ok/in progress', 409, 'IN_PROGRESS', ExitCode.Conflict],
    ['ok/not found', 404, 'NOT_FOUND', ExitCode.NotFound],
    ['ok/unknown CA', 404, 'UNKNOWN_CA', ExitCode.NotFound],
    ['ok/unauthorized', 401, 'UNAUTHORIZED', ExitCode.Auth],
    ['ok/rate limited after refused tokens', 429, 'RATE_LIMITED', ExitCode.Auth],
    ['ok/forbidden', 403, 'FORBIDDEN', ExitCode.Auth],
    ['ok/CA unavailable', 503, 'CA_UNAVAILABLE', ExitCode.Unavailable],
    ['ok/policy unavailable', 503, 'POLICY_UNAVAILABLE', ExitCode.Unavailable],
    ['ok/bad message', 400, 'BAD_MESSAGE', ExitCode.Usage],
    ['ok/bad attributes', 400, 'BAD_ATTRIBUTES', ExitCode.Usage],
    ['ok/too large', 413, 'TOO_LARGE', ExitCode.Usage],
    ['ok/media type', 415, 'UNSUPPORTED_MEDIA_TYPE', ExitCode.Usage],
    ['ok/internal', 500, 'INTERNAL', ExitCode.Error],
    ['ok/no body, 502 from a proxy', 502, undefined, ExitCode.Unavailable],
    ['ok/no body, 401', 401, undefined, ExitCode.Auth],
    ['ok/no body, 418', 418, undefined, ExitCode.Error],
  ])('%s', (_n, status, code, exit) => expect(exitCodeForError(status, code)).toBe(exit));
});

describe('exitCodeForDisposition', () => {
  it.each([
    ['issued', ExitCode.Ok],
    ['revoked', ExitCode.Ok],
    ['pending', ExitCode.Pending],
    ['in_process', ExitCode.Pending],
    ['denied', ExitCode.Denied],
    ['failed', ExitCode.Denied],
    ['something-new', ExitCode.Error],
  ])('ok/%s → %d', (d, exit) => expect(exitCodeForDisposition(d)).toBe(exit));

  it('ok/the codes never collide', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).toBe(values.length);
  });
});
