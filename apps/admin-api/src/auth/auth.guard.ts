import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, hasCode, SignetError, type Actor, type Principal } from '@signet/contracts';
import { FailureLimiter, sourceKey, type HttpResponse } from '@signet/http';
import { CONFIG, type AdminConfig } from '../config/config';
import { noteForAccessLog } from '../http/access-log';
import { type AdminRequest } from '../http/express-types';
import { authorize, type Access } from './access';
import { ACCESS_KEY } from './access.decorator';
import { Authenticator } from './authenticator';

/**
 * The one gate in front of every route (installed globally). It fails
 * closed: a handler without an access decorator answers 500 rather than
 * being open by accident, and a test walks every route to prove each has one.
 *
 * A source (client address, ADR 0024) whose tokens were refused too often
 * within the window gets 429 on every authenticated route, its token
 * unchecked, until the window has room again; public routes stay open.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly log = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly failures: FailureLimiter,
    @Inject(CONFIG) private readonly config: AdminConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!access) {
      throw new SignetError(ErrorCode.Internal, `route ${ctx.getClass().name}.${ctx.getHandler().name} declares no access rule`);
    }
    if (access.kind === 'public') return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<AdminRequest>();
    const principal = await this.authenticate(req);
    noteForAccessLog(http.getResponse<HttpResponse>(), { actor: principal.name });
    authorize(principal, access, this.config.roleSeparation);
    req.principal = principal;
    return true;
  }

  private async authenticate(req: AdminRequest): Promise<Principal> {
    const source = sourceKey(req.ip);
    this.failures.assertAllowed(source);
    try {
      return await this.authenticator.authenticate(req.headers.authorization);
    } catch (e) {
      // A refused token counts; no token at all (nothing guessed) and an unreachable CA do not.
      if (hasCode(e, ErrorCode.Unauthorized) && e.details?.reason !== 'missing_token') {
        this.failures.fail(source);
        const now = this.failures.check(source);
        if (!now.ok) this.log.warn(`refusing authentication from ${source} for ${now.retryAfterSeconds} s: ${this.config.authFailures.limit} failed within ${this.config.authFailures.windowMs / 1000} s`);
      }
      throw e;
    }
  }
}

/** The authenticated caller as ca-core's messages carry it. */
export function actorOf(req: AdminRequest): Actor {
  if (!req.principal) throw new SignetError(ErrorCode.Internal, 'no authenticated principal on a guarded route');
  return { name: req.principal.name, roles: [...req.principal.roles] };
}
