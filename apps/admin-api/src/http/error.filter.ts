import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { type HttpRequest, type HttpResponse } from './express-types';
import { toHttpError } from './errors';

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

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<HttpResponse>();
    const req = ctx.getRequest<HttpRequest>();
    const err = toHttpError(exception);
    if (err.logDetail) this.log.error(`${req.method} ${req.path} → ${err.status}: ${err.logDetail}`);
    if (res.headersSent) {
      // Too late for a clean answer (a streamed export broke half-way): cut
      // the connection so the client sees an incomplete transfer, never a
      // body that merely looks short.
      res.destroy();
      return;
    }
    res.status(err.status).set(err.headers).json(err.body);
  }
}
