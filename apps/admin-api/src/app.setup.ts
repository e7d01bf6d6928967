import { type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp, HttpErrorFilter, type CreateAppOptions } from '@signet/http';
import { AppModule } from './app.module';
import { type AdminConfig } from './config/config';
import { accessLog } from './http/access-log';
import { toAdminHttpError } from './http/errors';
import { requireKnownBodyType } from './http/media-type';

/**
 * Builds the HTTP application without listening, so main.ts and the
 * integration tests run exactly the same stack (see createHttpApp). The
 * JSON parser is not strict so that a bare JSON string (the AD CS attribute
 * string) is a valid body; every route validates its body's shape itself.
 */
export async function createApp(config: AdminConfig, connection: NatsConnection, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
  return createHttpApp(AppModule.register(config, connection), {
    logger: opts.logger,
    accessLog: accessLog(),
    beforeParsers: [requireKnownBodyType()],
    bodyParsers: (app) => {
      app.useBodyParser('json', { limit: config.http.bodyLimitBytes, strict: false });
      app.useBodyParser('text', { limit: config.http.bodyLimitBytes });
    },
    // A streamed export that breaks half-way is cut, so the client sees an
    // incomplete transfer, never a body that merely looks short.
    errorFilter: new HttpErrorFilter({ toHttpError: toAdminHttpError, afterHeadersSent: 'destroy' }),
  });
}
