import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { toHttpError, type HttpError } from './errors';
import { type HttpRequest, type HttpResponse } from './express-types';

export interface HttpErrorFilterOptions {
  /** The error mapping; `toHttpError` with no options unless given. */
  toHttpError?: (e: unknown) => HttpError;
  /**
   * What to do when the error comes after the headers went out: `end` the
   * response (enough when answers are never streamed), or `destroy` the
   * connection so a client of a streamed body sees an incomplete transfer,
   * never a body that merely looks short.
   */
  afterHeadersSent?: 'end' | 'destroy';
  /**
   * Requests whose protocol speaks text, not JSON (EST, RFC 7030 4.2.3):
   * their errors — an unknown route, a body the parser refused — go out as
   * `CODE: message` in text/plain, as the protocol's own handlers answer.
   */
  plainText?: (req: HttpRequest) => boolean;
}

/**
 * The one place an error becomes an HTTP answer: `{code, message, details?}`
 * JSON with the status from contracts' HTTP_STATUS. Catches everything,
 * including Nest's 404 for unknown routes, guard refusals and Express
 * body-parser errors (Nest routes those through global filters), so no
 * client ever sees an HTML page or a stack trace.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');
  private readonly map: (e: unknown) => HttpError;
  private readonly afterHeadersSent: 'end' | 'destroy';
  private readonly plainText: (req: HttpRequest) => boolean;

  constructor(opts: HttpErrorFilterOptions = {}) {
    this.map = opts.toHttpError ?? ((e) => toHttpError(e));
    this.afterHeadersSent = opts.afterHeadersSent ?? 'end';
    this.plainText = opts.plainText ?? (() => false);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<HttpResponse>();
    const req = ctx.getRequest<HttpRequest>();
    const err = this.map(exception);
    if (err.logDetail) this.log.error(`${req.method} ${req.path} → ${err.status}: ${err.logDetail}`);
    if (res.headersSent) {
      // Too late for a clean answer: never leave the response hanging.
      if (this.afterHeadersSent === 'destroy') res.destroy();
      else res.end();
      return;
    }
    if (this.plainText(req)) {
      res.status(err.status).set({ ...err.headers, 'Content-Type': 'text/plain; charset=utf-8' }).send(Buffer.from(`${err.body.code}: ${err.body.message}\n`, 'utf8'));
      return;
    }
    res.status(err.status).set(err.headers).json(err.body);
  }
}
