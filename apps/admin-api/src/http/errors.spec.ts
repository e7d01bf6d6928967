import { HttpException } from '@nestjs/common';
import { ErrorCode, SignetError } from '@signet/contracts';
import { toAdminHttpError } from './errors';

// The mapping itself is tested in @signet/http; here only what admin-api adds.
describe('toAdminHttpError', () => {
  it.each([
    ['missing_token', 'Bearer realm="signet-admin"'],
    ['invalid_token', 'Bearer realm="signet-admin", error="invalid_token"'],
    ['revoked_token', 'Bearer realm="signet-admin", error="invalid_token", error_description="the token has been revoked"'],
  ])('ok/UNAUTHORIZED (%s) → 401 with WWW-Authenticate', (reason, header) => {
    expect(toAdminHttpError(new SignetError(ErrorCode.Unauthorized, 'no', { reason }))).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': header } });
  });

  it("ok/Nest's own 401 → the plain challenge", () => {
    expect(toAdminHttpError(new HttpException('nope', 401))).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="signet-admin"' } });
  });

  it('ok/CA_UNAVAILABLE → 503 with Retry-After and no challenge', () => {
    expect(toAdminHttpError(new SignetError(ErrorCode.CaUnavailable, 'later'))).toEqual(expect.objectContaining({ status: 503, headers: { 'Retry-After': '5' } }));
  });
});
