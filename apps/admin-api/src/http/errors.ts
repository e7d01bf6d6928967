import { toHttpError, type HttpError } from '@signet/http';

/** RFC 6750 realm of admin-api's bearer tokens. */
export const AUTH_REALM = 'signet-admin';

/**
 * RFC 6750 §3: a 401 names the scheme, and says `invalid_token` when a token
 * was presented and refused (so a client knows to get a new one rather than
 * to add one); a revoked token says so in `error_description`.
 */
export function wwwAuthenticate(details: Record<string, unknown> | undefined): string {
  const base = `Bearer realm="${AUTH_REALM}"`;
  if (details?.reason === 'revoked_token') return `${base}, error="invalid_token", error_description="the token has been revoked"`;
  return details?.reason === 'invalid_token' ? `${base}, error="invalid_token"` : base;
}

/** The shared mapping (@signet/http), with admin-api's bearer challenge on every 401. */
export function toAdminHttpError(e: unknown): HttpError {
  return toHttpError(e, { wwwAuthenticate });
}
