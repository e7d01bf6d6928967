import { type NatsConnection } from '@nats-io/transport-node';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { type AdminConfig } from './config/config';
import { accessLog } from './http/access-log';
import { HttpErrorFilter } from './http/error.filter';
import { requireKnownBodyType } from './http/media-type';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the HTTP application without listening, so main.ts and the
 * integration tests run exactly the same stack.
 *
 * Nest's own body parsers are off: ours carry the configured size limit,
 * and their errors (too large, invalid JSON, bad charset) go through
 * HttpErrorFilter like every other error. The JSON parser is not strict so
 * that a bare JSON string (the AD CS attribute string) is a valid body;
 * every route validates its body's shape itself.
 */
export async function createApp(config: AdminConfig, connection: NatsConnection, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, connection), {
    bodyParser: false,
    logger: opts.logger,
  });
  app.disable('x-powered-by');
  // Before the parsers, so that a refused body is logged too.
  app.use(accessLog());
  app.useSecurityHeaders();
  app.use(requireKnownBodyType());
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes, strict: false });
  app.useBodyParser('text', { limit: config.http.bodyLimitBytes });
  app.useGlobalFilters(new HttpErrorFilter());
  return app;
}
