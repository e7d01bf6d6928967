import { toHttpError, type HttpError } from '@signet/http';

/** RFC 6750 realm of admin-api's bearer tokens. */
export const AUTH_REALM = 'signet-admin';

/**
 * RFC 6750 §3: a 401 names the scheme, and says `invalid_token` when a token
 * was presented and refused (so a client knows to get a new one rather than
 * to add one).
 */
export function wwwAuthenticate(details: Record<string, unknown> | undefined): string {
  const base = `Bearer realm="${AUTH_REALM}"`;
  return details?.reason === 'invalid_token' ? `${base}, error="invalid_token"` : base;
}

/** The shared mapping (@signet/http), with admin-api's bearer challenge on every 401. */
export function toAdminHttpError(e: unknown): HttpError {
  return toHttpError(e, { wwwAuthenticate });
}
