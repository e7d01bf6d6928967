import { ErrorCode, isSignetError } from '@signet/contracts';

/** RFC 8555 6.7 error types (urn:ietf:params:acme:error:<type>) Signet uses. */
export const ACME_ERRORS = {
  accountDoesNotExist: 400,
  /** RFC 9773 7.4: the certificate named in `replaces` is already being replaced. */
  alreadyReplaced: 409,
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  caa: 403,
  connection: 400,
  dns: 400,
  externalAccountRequired: 400,
  incorrectResponse: 403,
  invalidContact: 400,
  malformed: 400,
  orderNotReady: 403,
  rateLimited: 429,
  rejectedIdentifier: 400,
  serverInternal: 500,
  tls: 400,
  unauthorized: 403,
  unsupportedContact: 400,
  unsupportedIdentifier: 400,
  userActionRequired: 403,
} as const;
export type AcmeErrorType = keyof typeof ACME_ERRORS;

export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

export interface ProblemDocument {
  type: string;
  detail: string;
  status?: number;
  identifier?: { type: string; value: string };
  subproblems?: ProblemDocument[];
  [extra: string]: unknown;
}

/** An ACME problem (RFC 7807 + RFC 8555 6.7): thrown by the handlers, written as application/problem+json. */
export class AcmeProblem extends Error {
  constructor(
    readonly type: AcmeErrorType,
    readonly detail: string,
    readonly extra: { status?: number; subproblems?: ProblemDocument[]; identifier?: { type: string; value: string }; retryAfterSeconds?: number; fields?: Record<string, unknown> } = {},
  ) {
    super(detail);
  }

  get status(): number {
    return this.extra.status ?? ACME_ERRORS[this.type];
  }

  toDocument(): ProblemDocument {
    return problemDocument(this.type, this.detail, {
      status: this.status,
      ...(this.extra.identifier ? { identifier: this.extra.identifier } : {}),
      ...(this.extra.subproblems?.length ? { subproblems: this.extra.subproblems } : {}),
      ...(this.extra.fields ?? {}),
    });
  }
}

export function problemDocument(type: AcmeErrorType, detail: string, extra: Partial<ProblemDocument> = {}): ProblemDocument {
  return { type: `${ACME_ERROR_PREFIX}${type}`, detail, ...extra };
}

/**
 * Anything a handler threw, as a problem. Signet's own typed errors keep
 * their meaning (a CA that does not answer is a retryable 503); anything
 * else is serverInternal without detail (no stack or internals to clients).
 */
export function toProblem(e: unknown): AcmeProblem {
  if (e instanceof AcmeProblem) return e;
  if (isSignetError(e)) {
    switch (e.code) {
      case ErrorCode.CaUnavailable:
      case ErrorCode.PolicyUnavailable:
      case ErrorCode.InProgress:
      case ErrorCode.CaRequired:
      case ErrorCode.UnknownCa:
        return new AcmeProblem('serverInternal', e.message, { status: 503, retryAfterSeconds: 5 });
      case ErrorCode.MalformedRequest:
      case ErrorCode.BadSignature:
        return new AcmeProblem('badCSR', e.message);
      case ErrorCode.BadMessage:
        return new AcmeProblem('malformed', e.message);
      default:
        return new AcmeProblem('serverInternal', 'the server could not complete the request');
    }
  }
  return new AcmeProblem('serverInternal', 'the server could not complete the request');
}
