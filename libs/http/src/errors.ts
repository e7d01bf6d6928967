import { HttpException } from '@nestjs/common';
import { ErrorCode, HTTP_STATUS, isSignetError, SignetError } from '@signet/contracts';

/** The one error shape every Signet HTTP answer uses. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Set for server faults: what to log (never sent to the client). */
  logDetail?: string;
}

/** Seconds a client should wait before retrying a retryable failure. */
export const RETRY_AFTER_SECONDS = { unavailable: 5, inProgress: 1 } as const;

export interface HttpErrorOptions {
  /**
   * The `WWW-Authenticate` value of a 401, from the error's details (absent
   * for Nest's own 401s). A service without authentication leaves it unset
   * and its 401s carry no such header.
   */
  wwwAuthenticate?: (details: Record<string, unknown> | undefined) => string;
}

/**
 * Maps anything thrown while serving a request to an HTTP answer. Pure, so
 * every mapping has a table test. Internal detail never reaches the body.
 */
export function toHttpError(e: unknown, opts: HttpErrorOptions = {}): HttpError {
  if (isSignetError(e)) return fromSignetError(e, opts);
  if (e instanceof HttpException) return fromHttpException(e, opts);
  return internal(e);
}

function fromSignetError(e: SignetError, opts: HttpErrorOptions): HttpError {
  if (e.code === ErrorCode.Internal) return internal(e);
  const status = HTTP_STATUS[e.code] ?? 500;
  const headers: Record<string, string> = {};
  if (status === 503) headers['Retry-After'] = String(RETRY_AFTER_SECONDS.unavailable);
  if (e.code === ErrorCode.InProgress) headers['Retry-After'] = String(RETRY_AFTER_SECONDS.inProgress);
  if (e.code === ErrorCode.RateLimited) headers['Retry-After'] = String(retryAfterOf(e.details));
  if (status === 401 && opts.wwwAuthenticate) headers['WWW-Authenticate'] = opts.wwwAuthenticate(e.details);
  return {
    status,
    headers,
    body: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
    // 503s are expected weather (a CA restarting): the access log line is enough.
    ...(status >= 500 && status !== 503 ? { logDetail: `${e.code}: ${e.message}` } : {}),
  };
}

/** A rate limit's wait in whole seconds (at least 1), as the limiter put it in the details. */
function retryAfterOf(details: Record<string, unknown> | undefined): number {
  const v = details?.retryAfterSeconds;
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(1, Math.ceil(v)) : 1;
}

/** What body-parser (via Express and Nest's adapter) puts in `cause`. */
interface ParserError {
  type?: string;
  limit?: number;
}

/**
 * Nest's own exceptions: its 404 for unknown routes, and Express body-parser
 * errors, which Nest's Express adapter wraps in an HttpException whose
 * `cause` is the parser's error.
 */
function fromHttpException(e: HttpException, opts: HttpErrorOptions): HttpError {
  const status = e.getStatus();
  const cause = (e.cause ?? {}) as ParserError;
  const answer = (code: ErrorCode, message: string, details?: Record<string, unknown>): HttpError => ({
    status: HTTP_STATUS[code],
    headers: code === ErrorCode.Unauthorized && opts.wwwAuthenticate ? { 'WWW-Authenticate': opts.wwwAuthenticate(undefined) } : {},
    body: { code, message, ...(details ? { details } : {}) },
  });
  if (status >= 500) return internal(e);
  switch (cause.type) {
    case 'entity.too.large':
      return answer(ErrorCode.TooLarge, `request body exceeds ${cause.limit ?? 'the limit of'} bytes`, cause.limit ? { limitBytes: cause.limit } : undefined);
    case 'entity.parse.failed':
      return answer(ErrorCode.BadMessage, 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return answer(ErrorCode.UnsupportedMediaType, e.message);
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return answer(ErrorCode.BadMessage, 'request body could not be read');
  }
  switch (status) {
    case 404:
      return answer(ErrorCode.NotFound, 'no such route');
    case 401:
      return answer(ErrorCode.Unauthorized, 'authentication required');
    case 403:
      return answer(ErrorCode.Forbidden, 'forbidden');
    case 413:
      return answer(ErrorCode.TooLarge, 'request body too large');
    case 415:
      return answer(ErrorCode.UnsupportedMediaType, 'unsupported media type');
    default:
      // e.g. a URIError for a path with a broken %-escape (Express sets 400)
      return { ...answer(ErrorCode.BadMessage, status === 400 ? e.message : `request rejected (HTTP ${status})`), status: status === 400 ? 400 : status };
  }
}

function internal(e: unknown): HttpError {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { status: 500, headers: {}, body: { code: ErrorCode.Internal, message: 'internal error' }, logDetail: detail };
}
