import { toHttpError, type HttpError } from '@signet/http';

/** The protection space of the intermediary's Basic challenge (RFC 7617). */
export const ENROLL_REALM = 'signet';

/**
 * Every 401 at the intermediary asks for Basic credentials: EST clients
 * (curl, strongSwan's pki) send them only after such a challenge, and
 * enrollment secrets are the one credential the intermediary reads from
 * Authorization so far. TODO: add `Bearer` when enrollment tokens land.
 */
export function wwwAuthenticate(): string {
  return `Basic realm="${ENROLL_REALM}", charset="UTF-8"`;
}

/** The shared mapping (@signet/http) with the intermediary's challenge on every 401. */
export function toIntermediaryHttpError(e: unknown): HttpError {
  return toHttpError(e, { wwwAuthenticate });
}
