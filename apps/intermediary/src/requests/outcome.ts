import { ErrorCode, type RequestResult, type SubmitResult } from '@signet/contracts';
import { badField } from '@signet/http';

/** An HTTP answer decided by pure code; the controller only applies it. */
export interface HttpOutcome {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export const REQUESTS_PATH = '/api/v1/requests';

/** Where a request can be polled (RetrievePending). */
export function requestLocation(ca: string, requestId: number): string {
  return `${REQUESTS_PATH}/${requestId}?ca=${encodeURIComponent(ca)}`;
}

/** A RequestResult as the HTTP API shows it: the CA first, absent fields left out. */
export function resultBody(ca: string, r: RequestResult): Record<string, unknown> {
  return {
    ca,
    requestId: r.requestId,
    disposition: r.disposition,
    dispositionCode: r.dispositionCode,
    message: r.message,
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
    ...(r.certificate ? { certificate: r.certificate } : {}),
    ...(r.chain ? { chain: r.chain } : {}),
    ...(r.serial ? { serial: r.serial } : {}),
  };
}

/** Answers that carry a retrieval secret or a request's result are for the one client that asked: no cache keeps them. */
const PRIVATE = { 'Cache-Control': 'no-store' } as const;

/**
 * Submit's disposition → HTTP. Issued is 201 (a certificate was created),
 * pending 202 (accepted, poll Location). Denied and failed are outcomes, not
 * bus errors, but the client's request did not succeed, so they answer in
 * the error shape with the request id and the deciding rule. In-process and
 * revoked only appear when an idempotent retry finds an earlier request in
 * that state: in-process reads as pending, revoked as a plain 200. Every
 * answer carries the retrieval secret, last (an officer may still approve
 * a denied request); Location never does.
 */
export function submitOutcome(ca: string, r: SubmitResult): HttpOutcome {
  const headers = { ...PRIVATE, Location: requestLocation(ca, r.requestId) };
  const body = { ...resultBody(ca, r), retrievalSecret: r.retrievalSecret };
  switch (r.disposition) {
    case 'issued':
      return { status: 201, headers, body };
    case 'pending':
    case 'in_process':
      return { status: 202, headers, body };
    case 'revoked':
      return { status: 200, headers, body };
    case 'denied':
      return { status: 400, headers: PRIVATE, body: { code: ErrorCode.RequestDenied, ...body } };
    case 'failed':
      return { status: 500, headers: PRIVATE, body: { code: ErrorCode.RequestFailed, ...body } };
  }
}

/** RetrievePending answers its owner 200 whatever the disposition: the lookup itself succeeded. */
export function retrieveOutcome(ca: string, r: RequestResult): HttpOutcome {
  return { status: 200, headers: PRIVATE, body: resultBody(ca, r) };
}

/** A request id in a path: a positive integer that JSON numbers carry exactly. */
export function parseRequestId(text: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw badField('id', 'request id must be a positive integer');
  const id = Number(text);
  if (id < 1 || id > Number.MAX_SAFE_INTEGER) throw badField('id', 'request id must be a positive integer');
  return id;
}

