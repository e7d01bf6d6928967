/*
 * The contract between the ACME protocol (accounts, orders, challenges) and
 * the code that checks a challenge over the network (ADR 0036). The protocol
 * side codes against this abstract class; AcmeValidationModule provides the
 * implementation.
 */

/** The challenge types Signet validates: RFC 8555 8.3 and 8.4, RFC 8737. */
export type ChallengeType = 'http-01' | 'dns-01' | 'tls-alpn-01';
/** One challenge to check: the identifier being proved, the challenge token and the expected key authorization (token "." account key thumbprint). */
export interface ValidationInput { type: ChallengeType; identifier: { type: 'dns' | 'ip'; value: string }; token: string; keyAuthorization: string; }
/** Why a validation failed, as an ACME error type (RFC 8555 6.7, without the urn prefix) and a bounded, printable detail naming what was found. */
export type ValidationError = { type: 'connection' | 'dns' | 'incorrectResponse' | 'unauthorized' | 'tls' | 'rejectedIdentifier' | 'malformed'; detail: string };
/** `addressUsed`: the IP address the successful check connected to (none for dns-01). */
export type ValidationResult = { ok: true; addressUsed?: string } | { ok: false; error: ValidationError };
/** Checks one challenge; never throws for anything the remote side does, only resolves with a result. */
export abstract class ChallengeValidator { abstract validate(input: ValidationInput): Promise<ValidationResult>; }
