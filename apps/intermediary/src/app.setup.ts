import { type NatsConnection } from '@nats-io/transport-node';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { type IntermediaryConfig } from './config/config';
import { accessLog } from './http/access-log';
import { HttpErrorFilter } from './http/error.filter';
import { PKCS10_MEDIA_TYPE } from './requests/submit-input';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the HTTP application without listening, so main.ts and the
 * integration tests run exactly the same stack.
 *
 * Nest's own body parsers are off: ours carry the configured size limit,
 * and their errors (too large, invalid JSON, bad charset) go through
 * HttpErrorFilter like every other error, because Nest's Express adapter
 * routes Express errors to the global filters.
 */
export async function createApp(config: IntermediaryConfig, connection: NatsConnection, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, connection), {
    bodyParser: false,
    logger: opts.logger,
  });
  app.disable('x-powered-by');
  // Before the parsers, so that a refused body is logged too.
  app.use(accessLog());
  app.useSecurityHeaders();
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.useBodyParser('raw', { type: PKCS10_MEDIA_TYPE, limit: config.http.bodyLimitBytes });
  app.useGlobalFilters(new HttpErrorFilter());
  return app;
}
