import { Inject, Injectable, Logger } from '@nestjs/common';
import { ANONYMOUS_IDENTITY, ErrorCode, IdentitySchema, SignetError, type Identity } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { AUTHENTICATORS, type Authenticator } from './authenticator';

/**
 * The one place the intermediary decides who is asking (ADR 0026): the
 * configured authenticators are asked in order, and the first that finds
 * its kind of credential says who it is. A credential that is presented and
 * does not hold stops here with UNAUTHORIZED (401): it is never taken for
 * anonymous, and no later authenticator is asked. With none that applies,
 * the caller is anonymous.
 */
@Injectable()
export class EnrolleeAuth {
  private readonly log = new Logger('EnrolleeAuth');

  constructor(@Inject(AUTHENTICATORS) private readonly authenticators: readonly Authenticator[]) {}

  async identify(req: HttpRequest): Promise<Identity> {
    for (const authenticator of this.authenticators) {
      const found = await authenticator.authenticate(req);
      if (found === undefined) continue;
      // What goes to the CA signed must hold to the contract ca-core checks; an authenticator that breaks it is our fault, not the caller's.
      const identity = IdentitySchema.safeParse(found);
      if (!identity.success) {
        this.log.error(`the ${authenticator.method} authenticator gave an identity that breaks the contract: ${identity.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        throw new SignetError(ErrorCode.Internal, 'internal error');
      }
      return identity.data;
    }
    return ANONYMOUS_IDENTITY;
  }
}
