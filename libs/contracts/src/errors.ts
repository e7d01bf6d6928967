import { z } from 'zod';

/**
 * Error codes that cross the bus and the HTTP edge. Callers branch on the
 * code; the message is for people. Expected outcomes (denied, pending) are
 * data, never errors.
 */
export const ErrorCode = {
  /** The message did not match its contract (bus edge). */
  BadMessage: 'BAD_MESSAGE',
  /** The certificate request could not be decoded. */
  MalformedRequest: 'MALFORMED_REQUEST',
  /** The CSR signature does not verify (no proof of possession). */
  BadSignature: 'BAD_SIGNATURE',
  /** The request attributes are not valid `name:value` lines. */
  BadAttributes: 'BAD_ATTRIBUTES',
  /** A size, count or depth limit was exceeded. */
  TooLarge: 'TOO_LARGE',
  /** No such request, certificate or CA. */
  NotFound: 'NOT_FOUND',
  UnknownCa: 'UNKNOWN_CA',
  /** A call that names no CA, while several CAs are on the bus and none is the default: the caller must name one. */
  CaRequired: 'CA_REQUIRED',
  /** The request's state does not allow the action (AD CS 0x80094003). */
  WrongState: 'WRONG_STATE',
  /** The same idempotency key was used with a different request. */
  IdempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  /** A request with this idempotency key is still being processed. */
  InProgress: 'IN_PROGRESS',
  /** The policy module did not answer; the request is stored and pending (on submit, `details` carries its `requestId` and `retrievalSecret`). */
  PolicyUnavailable: 'POLICY_UNAVAILABLE',
  /** The CA did not answer. */
  CaUnavailable: 'CA_UNAVAILABLE',
  /** The certificate the CA built failed its own checks; nothing was signed. */
  LintFailed: 'LINT_FAILED',
  /** A certificate given to the CA (ImportCertificate) could not be decoded as one X.509 certificate. */
  MalformedCertificate: 'MALFORMED_CERTIFICATE',
  /** A certificate given to the CA was not issued by it: another issuer name, or a signature its key did not make (ImportCertificate without ICF_ALLOWFOREIGN). */
  ForeignCertificate: 'FOREIGN_CERTIFICATE',
  /** The thing to be created is there already (a certificate whose serial the CA's database holds). */
  AlreadyExists: 'ALREADY_EXISTS',
  /** HTTP edge only: the CA denied the request (the body carries requestId and the deciding rule). */
  RequestDenied: 'REQUEST_DENIED',
  /** HTTP edge only: the request failed permanently at the CA (e.g. the policy module errored). */
  RequestFailed: 'REQUEST_FAILED',
  /** HTTP edge only: unsupported media type. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Unauthorized: 'UNAUTHORIZED',
  /** A one-time credential (an enrollment token's jti, a secret) that already made a request: refused, nothing stored (ADR 0026). */
  CredentialReplayed: 'CREDENTIAL_REPLAYED',
  Forbidden: 'FORBIDDEN',
  /** HTTP edge only: too many failed authentications from the caller's address; retry after `details.retryAfterSeconds`. */
  RateLimited: 'RATE_LIMITED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

export const BusErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().max(4096),
  retryable: z.boolean(),
  /** Structured detail safe to show to the caller (never stack traces). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type BusErrorBody = z.infer<typeof BusErrorSchema>;

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.PolicyUnavailable,
  ErrorCode.CaUnavailable,
  ErrorCode.InProgress,
  ErrorCode.Internal,
]);

/** The one error type that crosses the wire. */
export class SignetError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, retryable?: boolean) {
    super(message);
    this.name = 'SignetError';
    this.code = code;
    this.retryable = retryable ?? RETRYABLE.has(code);
    this.details = details;
  }

  toBody(): BusErrorBody {
    // The wire allows 4096 characters: a longer message would make the whole reply invalid, not just long.
    const message = this.message.length > 4096 ? `${this.message.slice(0, 4095)}…` : this.message;
    return { code: this.code, message, retryable: this.retryable, ...(this.details ? { details: this.details } : {}) };
  }

  static fromBody(body: BusErrorBody): SignetError {
    return new SignetError(body.code, body.message, body.details, body.retryable);
  }
}

export function isSignetError(e: unknown): e is SignetError {
  return e instanceof SignetError;
}

export function hasCode(e: unknown, code: ErrorCode): e is SignetError {
  return isSignetError(e) && e.code === code;
}

/** HTTP status for an error code at the public edges. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_MESSAGE: 400,
  MALFORMED_REQUEST: 400,
  BAD_SIGNATURE: 400,
  BAD_ATTRIBUTES: 400,
  TOO_LARGE: 413,
  NOT_FOUND: 404,
  UNKNOWN_CA: 404,
  CA_REQUIRED: 400,
  WRONG_STATE: 409,
  IDEMPOTENCY_CONFLICT: 409,
  IN_PROGRESS: 409,
  POLICY_UNAVAILABLE: 503,
  CA_UNAVAILABLE: 503,
  LINT_FAILED: 500,
  MALFORMED_CERTIFICATE: 400,
  FOREIGN_CERTIFICATE: 400,
  ALREADY_EXISTS: 409,
  REQUEST_DENIED: 400,
  REQUEST_FAILED: 500,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  CREDENTIAL_REPLAYED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};
