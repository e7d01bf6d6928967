import { Logger } from '@nestjs/common';
import { type HttpResponse, type Middleware } from './express-types';

const LOCALS_KEY = 'signetAccess';

/** Merges what a guard or handler knows about the call (ids, actor) into the access log line. */
export function noteForAccessLog<C extends object>(res: HttpResponse, ctx: C): void {
  res.locals[LOCALS_KEY] = { ...(res.locals[LOCALS_KEY] as C | undefined), ...ctx };
}

/**
 * One line per request: method, path, status, duration, then what
 * `describe` makes of the noted context (empty strings are left out). The
 * path is logged without its query string and nothing of the body is
 * logged: bodies and filters carry personal data. Install it before the
 * body parsers so that a refused body is logged too.
 */
export function accessLog<C extends object>(describe: (ctx: Partial<C>) => string[], logger: Pick<Logger, 'log'> = new Logger('Access')): Middleware {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const ctx = (res.locals[LOCALS_KEY] ?? {}) as Partial<C>;
      const extra = describe(ctx).filter(Boolean).join(' ');
      logger.log(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms${extra ? ` ${extra}` : ''}`);
    });
    next();
  };
}
