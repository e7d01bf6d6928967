import { toHttpError, type HttpError } from '@signet/http';

/** The protection space of the intermediary's Basic challenge (RFC 7617). */
export const ENROLL_REALM = 'signet';

/**
 * Every 401 at the intermediary names both schemes it reads from
 * Authorization (RFC 9110 11.6.1: several challenges in one field): Basic
 * for enrollment secrets — EST clients (curl, strongSwan's pki) send them
 * only after such a challenge — and Bearer for enrollment tokens and OIDC
 * ID tokens (RFC 6750).
 */
export function wwwAuthenticate(): string {
  return `Basic realm="${ENROLL_REALM}", charset="UTF-8", Bearer realm="${ENROLL_REALM}"`;
}

/** The shared mapping (@signet/http) with the intermediary's challenge on every 401. */
export function toIntermediaryHttpError(e: unknown): HttpError {
  return toHttpError(e, { wwwAuthenticate });
}
