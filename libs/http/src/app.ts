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
  app.use(opts.accessLog);
  app.useSecurityHeaders();
  for (const m of opts.beforeParsers ?? []) app.use(m);
  opts.bodyParsers(app);
  app.useGlobalFilters(opts.errorFilter);
  return app;
}
