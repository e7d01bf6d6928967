import { Controller, Get, Inject, Module, Req, type DynamicModule } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { ANONYMOUS_IDENTITY, type Identity } from '@signet/contracts';
import { CapturingLogger, createHttpApp, HttpErrorFilter, listenForTests, type HttpRequest } from '@signet/http';
import { AUTHENTICATORS, type Authenticator } from '../src/auth/authenticator';
import { accessLog } from '../src/http/access-log';

/**
 * A small HTTP app for authenticator tests: `GET /whoami` asks each
 * authenticator in turn, as the intermediary's pipeline does, and answers
 * the identity (anonymous when none applies). Requests arrive over real
 * HTTP, through the same Express stack and error filter as the service.
 */
@Controller()
class WhoAmIController {
  constructor(@Inject(AUTHENTICATORS) private readonly authenticators: Authenticator[]) {}

  @Get('whoami')
  async whoami(@Req() req: HttpRequest): Promise<Identity> {
    for (const a of this.authenticators) {
      const identity = await a.authenticate(req);
      if (identity) return identity;
    }
    return ANONYMOUS_IDENTITY;
  }
}

@Module({})
class WhoAmIModule {
  static register(authenticators: Authenticator[]): DynamicModule {
    return { module: WhoAmIModule, controllers: [WhoAmIController], providers: [{ provide: AUTHENTICATORS, useValue: authenticators }] };
  }
}

export interface AuthApp {
  app: NestExpressApplication;
  logger: CapturingLogger;
  /** GET /whoami with these headers: the status and the JSON body. */
  whoami(headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startAuthApp(authenticators: Authenticator[]): Promise<AuthApp> {
  const logger = new CapturingLogger();
  const app = await createHttpApp(WhoAmIModule.register(authenticators), {
    logger,
    accessLog: accessLog(logger),
    bodyParsers: () => undefined,
    errorFilter: new HttpErrorFilter(),
  });
  const url = await listenForTests(app);
  return {
    app,
    logger,
    async whoami(headers = {}) {
      const res = await fetch(url('/whoami'), { headers });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), text };
    },
    close: () => app.close(),
  };
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
