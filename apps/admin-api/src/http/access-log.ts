import { type Logger } from '@nestjs/common';
import { accessLog as accessLogWith, noteForAccessLog as note, type HttpResponse } from '@signet/http';

/** What a handler knows about the call, for the access log line. */
export interface AccessLogContext {
  actor?: string;
  requestId?: number;
  serial?: string;
}

/** Lets the guard and handlers add the actor, request id or serial to the access log line. */
export function noteForAccessLog(res: HttpResponse, ctx: AccessLogContext): void {
  note(res, ctx);
}

/**
 * The access log line ends with the actor, request id or serial when known.
 * The query string (filters may carry personal data), the body and the
 * Authorization header are never logged.
 */
export function accessLog(logger?: Pick<Logger, 'log'>) {
  return accessLogWith<AccessLogContext>(
    (c) => [c.actor ? `actor=${JSON.stringify(c.actor)}` : '', c.requestId !== undefined ? `requestId=${c.requestId}` : '', c.serial ? `serial=${c.serial}` : ''],
    logger,
  );
}
