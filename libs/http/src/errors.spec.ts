import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ErrorCode, HTTP_STATUS, SignetError } from '@signet/contracts';
import { toHttpError } from './errors';

/** An Express body-parser error as Nest's adapter hands it to filters. */
function parserError(status: number, type: string, extra: Record<string, unknown> = {}): HttpException {
  const cause = Object.assign(new Error('parser said no'), { type, status, statusCode: status, expose: true, ...extra });
  return new HttpException('parser said no', status, { cause });
}

describe('toHttpError', () => {
  it.each([
    ['MALFORMED_REQUEST', 400],
    ['BAD_SIGNATURE', 400],
    ['BAD_ATTRIBUTES', 400],
    ['BAD_MESSAGE', 400],
    ['TOO_LARGE', 413],
    ['NOT_FOUND', 404],
    ['UNKNOWN_CA', 404],
    ['IDEMPOTENCY_CONFLICT', 409],
    ['WRONG_STATE', 409],
    ['FORBIDDEN', 403],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['LINT_FAILED', 500],
  ] as const)('ok/SignetError %s → %d, code, message and details kept', (code, status) => {
    const e = toHttpError(new SignetError(code, 'm', { field: 'x' }));
    expect(e).toMatchObject({ status, body: { code, message: 'm', details: { field: 'x' } } });
    expect(e.status).toBe(HTTP_STATUS[code]);
  });

  it.each(['CA_UNAVAILABLE', 'POLICY_UNAVAILABLE'] as const)('ok/%s → 503 with Retry-After', (code) => {
    expect(toHttpError(new SignetError(code, 'later'))).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, body: { code } });
  });

  it('ok/IN_PROGRESS → 409 with a short Retry-After', () => {
    expect(toHttpError(new SignetError(ErrorCode.InProgress, 'busy'))).toMatchObject({ status: 409, headers: { 'Retry-After': '1' } });
  });

  it('ok/RATE_LIMITED → 429 with the Retry-After the limiter computed', () => {
    const e = toHttpError(new SignetError(ErrorCode.RateLimited, 'slow down', { retryAfterSeconds: 42 }));
    expect(e).toMatchObject({ status: 429, headers: { 'Retry-After': '42' }, body: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 42 } } });
    expect(toHttpError(new SignetError(ErrorCode.RateLimited, 'no details')).headers['Retry-After']).toBe('1');
  });

  it('ok/INTERNAL hides message and details, logs them', () => {
    const e = toHttpError(new SignetError(ErrorCode.Internal, 'reply breaks contract: secret', { x: 1 }));
    expect(e.body).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(e.logDetail).toContain('secret');
  });

  it('ok/any other error → 500 INTERNAL, stack only in the log', () => {
    const e = toHttpError(new TypeError('cannot read x of undefined'));
    expect(e).toMatchObject({ status: 500, body: { code: 'INTERNAL', message: 'internal error' } });
    expect(e.body).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(e.logDetail).toContain('TypeError');
    expect(toHttpError('a string').status).toBe(500);
  });

  it.each([
    ['entity.too.large', 413, 'TOO_LARGE'],
    ['entity.parse.failed', 400, 'BAD_MESSAGE'],
    ['charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['encoding.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['request.aborted', 400, 'BAD_MESSAGE'],
  ])('ok/body-parser %s → %d %s', (type, status, code) => {
    expect(toHttpError(parserError(status, type, { limit: 10 }))).toMatchObject({ status, body: { code } });
  });

  it('ok/body-parser too large names the limit', () => {
    expect(toHttpError(parserError(413, 'entity.too.large', { limit: 65536 })).body).toEqual({
      code: 'TOO_LARGE',
      message: 'request body exceeds 65536 bytes',
      details: { limitBytes: 65536 },
    });
  });

  it.each([
    [new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    [new PayloadTooLargeException(), 413, 'TOO_LARGE'],
    [new BadRequestException('Failed to decode param'), 400, 'BAD_MESSAGE'],
    [new HttpException('nope', 401), 401, 'UNAUTHORIZED'],
    [new HttpException('boom', 502), 500, 'INTERNAL'],
  ])('ok/Nest %p → %d %s', (e, status, code) => {
    expect(toHttpError(e)).toMatchObject({ status, body: { code } });
  });

  it('never puts the framework text of a 404 in the body', () => {
    expect(toHttpError(new NotFoundException('Cannot GET /secret-path')).body.message).toBe('no such route');
  });

  describe('WWW-Authenticate', () => {
    const wwwAuthenticate = (d: Record<string, unknown> | undefined) => `Bearer realm="r"${d?.reason ? ` (${String(d.reason)})` : ''}`;

    it('ok/without the option a 401 carries no challenge', () => {
      expect(toHttpError(new SignetError(ErrorCode.Unauthorized, 'no')).headers).toEqual({});
      expect(toHttpError(new HttpException('nope', 401)).headers).toEqual({});
    });

    it("ok/a SignetError 401 gets the challenge built from its details", () => {
      expect(toHttpError(new SignetError(ErrorCode.Unauthorized, 'no', { reason: 'x' }), { wwwAuthenticate })).toMatchObject({
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="r" (x)' },
      });
    });

    it("ok/Nest's own 401 gets the challenge without details", () => {
      expect(toHttpError(new HttpException('nope', 401), { wwwAuthenticate }).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="r"' });
    });

    it('ok/other statuses never get it', () => {
      expect(toHttpError(new SignetError(ErrorCode.Forbidden, 'no'), { wwwAuthenticate }).headers).toEqual({});
      expect(toHttpError(new NotFoundException(), { wwwAuthenticate }).headers).toEqual({});
    });
  });
});
