import { ErrorCode, SignetError } from '@signet/contracts';
import { createHash } from 'node:crypto';

/** Longest bearer token accepted; tokens Signet creates are far shorter. */
export const MAX_TOKEN_CHARS = 512;

/** RFC 6750 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The token from `Authorization: Bearer <token>`. A missing header is 401
 * without `error=` (the client should authenticate); a malformed one is 401
 * `invalid_token`. Never echoes the header.
 */
export function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '') {
    throw new SignetError(ErrorCode.Unauthorized, 'authentication required: send Authorization: Bearer <token>', { reason: 'missing_token' });
  }
  const value = Array.isArray(header) ? undefined : header;
  const m = value ? /^Bearer +(\S+) *$/i.exec(value) : null;
  if (!m || m[1].length > MAX_TOKEN_CHARS || !B64TOKEN.test(m[1])) {
    throw new SignetError(ErrorCode.Unauthorized, 'the Authorization header is not a bearer token', { reason: 'invalid_token' });
  }
  return m[1];
}

/** What ca-core stores and is asked about: SHA-256 of the token, hex. The token itself never leaves admin-api. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function invalidToken(): SignetError {
  return new SignetError(ErrorCode.Unauthorized, 'the token is not valid', { reason: 'invalid_token' });
}

/** A token ca-core knows as revoked: said plainly, since only someone presenting that very token learns it. */
export function revokedToken(): SignetError {
  return new SignetError(ErrorCode.Unauthorized, 'this admin token has been revoked; ask a CA administrator for a new one', { reason: 'revoked_token' });
}
