/**
 * What `signet` exits with. Scripts branch on these, so they never change
 * meaning; new outcomes get new numbers.
 */
export const ExitCode = {
  /** Done: issued, revoked, listed, verified... */
  Ok: 0,
  /** Anything not covered below (an internal error at the server, an unexpected answer). */
  Error: 1,
  /** Bad command line or configuration, or input the server refused as malformed (HTTP 400/413/415). */
  Usage: 2,
  /** The request was denied (by policy or an officer) or failed at the CA. */
  Denied: 3,
  /** The request is pending: retrieve it later. */
  Pending: 4,
  /** No such request, certificate, CA or route (HTTP 404). */
  NotFound: 5,
  /** The state does not allow it: WRONG_STATE, IDEMPOTENCY_CONFLICT, IN_PROGRESS (HTTP 409). */
  Conflict: 6,
  /** Not authenticated or not allowed (HTTP 401/403; 429 after too many refused tokens): check SIGNET_TOKEN and its roles. */
  Auth: 7,
  /** The server or the CA did not answer (HTTP 503, connection refused, timeout): retry later. */
  Unavailable: 8,
  /** `audit verify` found the audit log's hash chain broken. */
  VerifyFailed: 9,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Exit code for an HTTP error answer, by its Signet error code first, its status second. */
export function exitCodeForError(status: number, code: string | undefined): ExitCode {
  switch (code) {
    case 'REQUEST_DENIED':
    case 'REQUEST_FAILED':
      return ExitCode.Denied;
    case 'WRONG_STATE':
    case 'IDEMPOTENCY_CONFLICT':
    case 'IN_PROGRESS':
      return ExitCode.Conflict;
    case 'NOT_FOUND':
    case 'UNKNOWN_CA':
      return ExitCode.NotFound;
    case 'UNAUTHORIZED':
    case 'CREDENTIAL_REPLAYED':
    case 'FORBIDDEN':
    case 'RATE_LIMITED':
      return ExitCode.Auth;
    case 'CA_UNAVAILABLE':
    case 'POLICY_UNAVAILABLE':
      return ExitCode.Unavailable;
  }
  if (status === 401 || status === 403) return ExitCode.Auth;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  if (status === 502 || status === 503 || status === 504) return ExitCode.Unavailable;
  if (status === 400 || status === 413 || status === 415 || status === 422) return ExitCode.Usage;
  return ExitCode.Error;
}

/** Exit code for a request's disposition after submit, retrieve or resubmit. */
export function exitCodeForDisposition(disposition: string): ExitCode {
  switch (disposition) {
    case 'issued':
    case 'revoked':
      return ExitCode.Ok;
    case 'pending':
    case 'in_process':
      return ExitCode.Pending;
    case 'denied':
    case 'failed':
      return ExitCode.Denied;
    default:
      return ExitCode.Error;
  }
}
