import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { type AdminRequest } from '../http/express-types';
import { actorOf } from './auth.guard';

/** `@CurrentActor() actor: Actor` in a handler: who is calling, for ca-core's audit log. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => actorOf(ctx.switchToHttp().getRequest<AdminRequest>()));
