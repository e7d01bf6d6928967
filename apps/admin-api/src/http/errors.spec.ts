import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ErrorCode, HTTP_STATUS, SignetError } from '@signet/contracts';
import { toHttpError } from './errors';

function parserError(status: number, type: string, extra: Record<string, unknown> = {}): HttpException {
  const cause = Object.assign(new Error('parser said no'), { type, status, statusCode: status, expose: true, ...extra });
  return new HttpException('parser said no', status, { cause });
}

describe('toHttpError', () => {
  it.each([
    ['BAD_MESSAGE', 400],
    ['BAD_ATTRIBUTES', 400],
    ['TOO_LARGE', 413],
    ['NOT_FOUND', 404],
    ['WRONG_STATE', 409],
    ['FORBIDDEN', 403],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
  ] as const)('ok/SignetError %s → %d, code and details kept', (code, status) => {
    const e = toHttpError(new SignetError(code, 'm', { field: 'x' }));
    expect(e).toMatchObject({ status, body: { code, message: 'm', details: { field: 'x' } } });
    expect(e.status).toBe(HTTP_STATUS[code]);
  });

  it.each([
    ['missing_token', 'Bearer realm="signet-admin"'],
    ['invalid_token', 'Bearer realm="signet-admin", error="invalid_token"'],
  ])('ok/UNAUTHORIZED (%s) → 401 with WWW-Authenticate', (reason, header) => {
    expect(toHttpError(new SignetError(ErrorCode.Unauthorized, 'no', { reason }))).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': header } });
  });

  it('ok/CA_UNAVAILABLE → 503 with Retry-After', () => {
    expect(toHttpError(new SignetError(ErrorCode.CaUnavailable, 'later'))).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  });

  it('ok/INTERNAL and unknown errors hide their detail, and log it', () => {
    const e = toHttpError(new SignetError(ErrorCode.Internal, 'secret detail'));
    expect(e.body).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(e.logDetail).toContain('secret detail');
    expect(toHttpError(new TypeError('x')).body).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it.each([
    ['entity.too.large', 413, 'TOO_LARGE'],
    ['entity.parse.failed', 400, 'BAD_MESSAGE'],
    ['charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['request.aborted', 400, 'BAD_MESSAGE'],
  ])('ok/body-parser %s → %d %s', (type, status, code) => {
    expect(toHttpError(parserError(status, type, { limit: 10 }))).toMatchObject({ status, body: { code } });
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
});
