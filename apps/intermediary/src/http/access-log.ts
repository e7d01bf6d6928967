import { Logger } from '@nestjs/common';
import { type HttpRequest, type HttpResponse, type NextFunction } from './express-types';

/** What a handler knows about the call, for the access log line. */
export interface AccessLogContext {
  ca?: string;
  requestId?: number;
}

const LOCALS_KEY = 'signetAccess';

/** Lets a handler add the CA and request id to the access log line. */
export function noteForAccessLog(res: HttpResponse, ctx: AccessLogContext): void {
  res.locals[LOCALS_KEY] = { ...(res.locals[LOCALS_KEY] as AccessLogContext | undefined), ...ctx };
}

/**
 * One line per request: method, path, status, duration, and the CA and
 * request id when known. The path is logged without its query string and
 * nothing of the body is logged: CSRs and attributes carry personal data.
 */
export function accessLog(logger: Pick<Logger, 'log'> = new Logger('Access')) {
  return (req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const ctx = res.locals[LOCALS_KEY] as AccessLogContext | undefined;
      const extra = [ctx?.ca ? `ca=${ctx.ca}` : '', ctx?.requestId !== undefined ? `requestId=${ctx.requestId}` : '']
        .filter(Boolean)
        .join(' ');
      logger.log(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms${extra ? ` ${extra}` : ''}`);
    });
    next();
  };
}
