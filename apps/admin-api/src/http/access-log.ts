import { Logger } from '@nestjs/common';
import { type HttpRequest, type HttpResponse, type NextFunction } from './express-types';

/** What a handler knows about the call, for the access log line. */
export interface AccessLogContext {
  actor?: string;
  requestId?: number;
  serial?: string;
}

const LOCALS_KEY = 'signetAccess';

/** Lets the guard and handlers add the actor, request id or serial to the access log line. */
export function noteForAccessLog(res: HttpResponse, ctx: AccessLogContext): void {
  res.locals[LOCALS_KEY] = { ...(res.locals[LOCALS_KEY] as AccessLogContext | undefined), ...ctx };
}

/**
 * One line per request: method, path, status, duration, and the actor,
 * request id or serial when known. The path is logged without its query
 * string (filters may carry personal data), nothing of the body is logged,
 * and never the Authorization header.
 */
export function accessLog(logger: Pick<Logger, 'log'> = new Logger('Access')) {
  return (req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const ctx = res.locals[LOCALS_KEY] as AccessLogContext | undefined;
      const extra = [
        ctx?.actor ? `actor=${JSON.stringify(ctx.actor)}` : '',
        ctx?.requestId !== undefined ? `requestId=${ctx.requestId}` : '',
        ctx?.serial ? `serial=${ctx.serial}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      logger.log(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms${extra ? ` ${extra}` : ''}`);
    });
    next();
  };
}
