import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ANONYMOUS_REQUESTER } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';

/** AD CS RequesterName for callers nobody has authenticated; it owns no request. */
export const ANONYMOUS = ANONYMOUS_REQUESTER;

/**
 * The one place the intermediary decides who is asking (AD CS
 * RequesterName, which policy rules and the audit log see, and which
 * ca-core lets read back its own requests unless it is anonymous).
 * TODO: derive it from enrollee authentication (client certificate, token)
 * when the front door gets one; until then every caller is anonymous.
 */
export function requesterOf(_req: HttpRequest): string {
  return ANONYMOUS;
}

/** `@Requester() requester: string` in a handler. */
export const Requester = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  requesterOf(ctx.switchToHttp().getRequest<HttpRequest>()),
);
