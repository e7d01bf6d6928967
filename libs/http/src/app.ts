import { type DynamicModule, type ExceptionFilter, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Middleware } from './express-types';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

export interface HttpEdgeOptions extends CreateAppOptions {
  /** Runs first, so that a refused body or a rejected media type is logged too. */
  accessLog: Middleware;
  /** Middleware between the security headers and the body parsers (e.g. a media-type gate). */
  beforeParsers?: Middleware[];
  /** Installs the service's body parsers, each with its configured size limit. */
  bodyParsers: (app: NestExpressApplication) => void;
  errorFilter: ExceptionFilter;
}

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s)
 * is shorter than what HTTP clients and load balancers expect (a proxy
 * idles up to 60 s); a client that reuses a connection at the moment the
 * server closes it gets "other side closed" on a request it never saw
 * answered. The server must hold idle connections longer than any client,
 * so clients are the ones that close them; headers must be allowed a
 * little longer still (Node requires headersTimeout > keepAliveTimeout).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function keepIdleConnections(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

/**
 * Builds a service's HTTP application without listening, so main.ts and
 * the integration tests run exactly the same stack.
 *
 * Nest's own body parsers are off: the service's carry the configured size
 * limit, and their errors (too large, invalid JSON, bad charset) go through
 * the error filter like every other error, because Nest's Express adapter
 * routes Express errors to the global filters.
 */
export async function createHttpApp(module: DynamicModule, opts: HttpEdgeOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: opts.logger,
  });
  app.disable('x-powered-by');
  keepIdleConnections(app.getHttpServer());
  app.use(opts.accessLog);
  app.useSecurityHeaders();
  for (const m of opts.beforeParsers ?? []) app.use(m);
  opts.bodyParsers(app);
  app.useGlobalFilters(opts.errorFilter);
  return app;
}
