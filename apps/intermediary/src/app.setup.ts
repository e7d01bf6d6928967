import { type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp, HttpErrorFilter, type CreateAppOptions } from '@signet/http';
import { AppModule } from './app.module';
import { JOSE_MEDIA_TYPE } from './acme/acme.controller';
import { type ChallengeValidator } from './acme/validation/challenge-validator';
import { toIntermediaryHttpError } from './auth/challenge';
import { type Authenticator } from './auth/authenticator';
import { type IntermediaryConfig } from './config/config';
import { accessLog } from './http/access-log';
import { PKCS10_MEDIA_TYPE } from './requests/submit-input';
import { isScepPath } from './scep/scep.controller';
import { isEstPath } from './est/est.controller';
import { apiOnlyOverHttps } from './tls/api-over-https';

/**
 * Builds the HTTP application without listening, so main.ts and the
 * integration tests run exactly the same stack (see createHttpApp): JSON
 * and raw PKCS#10 bodies, both with the configured size limit.
 */
export async function createApp(
  config: IntermediaryConfig,
  connection: NatsConnection,
  opts: CreateAppOptions & { authenticators?: Authenticator[]; challengeValidator?: ChallengeValidator } = {},
): Promise<NestExpressApplication> {
  // Tests may give the authenticators; otherwise the configured ones run.
  const app = await createHttpApp(AppModule.register(config, connection, { authenticators: opts.authenticators, challengeValidator: opts.challengeValidator }), {
    logger: opts.logger,
    accessLog: accessLog(),
    // ADR 0029: the API on plain HTTP only when configured (SIGNET_HTTP_API).
    beforeParsers: [apiOnlyOverHttps(config.tls.apiOverHttp)],
    bodyParsers: (app) => {
      app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
      app.useBodyParser('raw', { type: PKCS10_MEDIA_TYPE, limit: config.http.bodyLimitBytes });
      // SCEP POSTs its binary message as application/x-pki-message, application/octet-stream or with no Content-Type at all.
      app.useBodyParser('raw', { type: (req: { url?: string }) => isScepPath(req.url), limit: config.http.bodyLimitBytes });
      // ACME's JWS bodies as text: src/acme/jws.ts parses them with its own, smaller bound (SIGNET_ACME_MAX_JWS_BYTES).
      if (config.acme) app.useBodyParser('text', { type: JOSE_MEDIA_TYPE, limit: config.http.bodyLimitBytes });
    },
    // No streamed answers here: ending the response is enough.
    // EST speaks text (RFC 7030 4.2.3): its unknown routes and refused bodies too.
    errorFilter: new HttpErrorFilter({ afterHeadersSent: 'end', toHttpError: toIntermediaryHttpError, plainText: (req) => isEstPath(req.path) }),
  });
  // req.ip, the source per-address limits count: the socket's peer unless proxies are named (SIGNET_TRUST_PROXY).
  app.set('trust proxy', config.http.trustProxy);
  return app;
}
