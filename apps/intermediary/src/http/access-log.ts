import { type Logger } from '@nestjs/common';
import { accessLog as accessLogWith, noteForAccessLog as note, type HttpResponse } from '@signet/http';

/** What a handler knows about the call, for the access log line. */
export interface AccessLogContext {
  ca?: string;
  requestId?: number;
}

/** Lets a handler add the CA and request id to the access log line. */
export function noteForAccessLog(res: HttpResponse, ctx: AccessLogContext): void {
  note(res, ctx);
}

/**
 * The access log line ends with the CA and request id when known; nothing
 * of the body is logged: CSRs and attributes carry personal data.
 */
export function accessLog(logger?: Pick<Logger, 'log'>) {
  return accessLogWith<AccessLogContext>((c) => [c.ca ? `ca=${c.ca}` : '', c.requestId !== undefined ? `requestId=${c.requestId}` : ''], logger);
}
