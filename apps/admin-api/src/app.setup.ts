import { type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp, HttpErrorFilter, type CreateAppOptions } from '@signet/http';
import { AppModule } from './app.module';
import { type Now } from './clock';
import { type AdminConfig } from './config/config';
import { accessLog } from './http/access-log';
import { toAdminHttpError } from './http/errors';
import { requireKnownBodyType } from './http/media-type';

export interface CreateAdminAppOptions extends CreateAppOptions {
  /** The clock (tests move their own); `Date.now` otherwise. */
  now?: Now;
}

/**
 * Builds the HTTP application without listening, so main.ts and the
 * integration tests run exactly the same stack (see createHttpApp). The
 * JSON parser is not strict so that a bare JSON string (the AD CS attribute
 * string) is a valid body; every route validates its body's shape itself.
 */
export async function createApp(config: AdminConfig, connection: NatsConnection, opts: CreateAdminAppOptions = {}): Promise<NestExpressApplication> {
  const app = await createHttpApp(AppModule.register(config, connection, opts.now), {
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
  // req.ip, the source failed authentications are counted under: the socket's peer unless proxies are named.
  app.set('trust proxy', config.trustProxy);
  return app;
}
