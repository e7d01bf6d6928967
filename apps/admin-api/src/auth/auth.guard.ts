import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, SignetError, type Actor } from '@signet/contracts';
import { type HttpResponse } from '@signet/http';
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
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
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
    const principal = await this.authenticator.authenticate(req.headers.authorization);
    noteForAccessLog(http.getResponse<HttpResponse>(), { actor: principal.name });
    authorize(principal, access, this.config.roleSeparation);
    req.principal = principal;
    return true;
  }
}

/** The authenticated caller as ca-core's messages carry it. */
export function actorOf(req: AdminRequest): Actor {
  if (!req.principal) throw new SignetError(ErrorCode.Internal, 'no authenticated principal on a guarded route');
  return { name: req.principal.name, roles: [...req.principal.roles] };
}
