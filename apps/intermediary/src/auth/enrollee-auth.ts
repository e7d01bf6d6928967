import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ANONYMOUS_IDENTITY, ErrorCode, IdentitySchema, isSignetError, SignetError, type Identity } from '@signet/contracts';
import { FailureLimiter, sourceKey, type HttpRequest } from '@signet/http';
import { AUTHENTICATORS, type AuthContext, type Authenticator } from './authenticator';
import { ENROLLEE_AUTH_FAILURES } from './enrollment-secret.authenticator';

/**
 * The one place the intermediary decides who is asking (ADR 0026): the
 * configured authenticators are asked in order, and the first that finds
 * its kind of credential says who it is. A credential that is presented and
 * does not hold stops here with UNAUTHORIZED (401): it is never taken for
 * anonymous, and no later authenticator is asked. With none that applies,
 * the caller is anonymous.
 *
 * Refused credentials are counted per source (SIGNET_AUTH_FAILURE_*, the
 * limiter ADR 0024 gave admin-api): once a source has too many, every
 * request from it that carries a credential is 429 with Retry-After,
 * unchecked. The enrollment-secret authenticator counts its own refusals
 * (it also serves SCEP's challengePassword, outside this pipeline); the
 * others' are counted here.
 */
@Injectable()
export class EnrolleeAuth {
  private readonly log = new Logger('EnrolleeAuth');

  constructor(
    @Inject(AUTHENTICATORS) private readonly authenticators: readonly Authenticator[],
    @Optional() @Inject(ENROLLEE_AUTH_FAILURES) private readonly failures?: FailureLimiter,
  ) {}

  async identify(req: HttpRequest, ctx?: AuthContext): Promise<Identity> {
    const source = sourceKey(req.ip);
    if (this.failures && presentsCredential(req)) this.failures.assertAllowed(source);
    for (const authenticator of this.authenticators) {
      let found: Identity | undefined;
      try {
        found = await authenticator.authenticate(req, ctx);
      } catch (e) {
        if (this.failures && authenticator.method !== 'enrollment-secret' && isSignetError(e) && e.code === ErrorCode.Unauthorized) this.failures.fail(source);
        throw e;
      }
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

/** A request that carries something an authenticator would check: an Authorization header or a TLS client certificate. */
function presentsCredential(req: HttpRequest): boolean {
  if (req.headers?.authorization !== undefined) return true;
  const socket = req.socket as { getPeerCertificate?: () => { raw?: Buffer } | undefined } | undefined;
  return typeof socket?.getPeerCertificate === 'function' && socket.getPeerCertificate()?.raw !== undefined;
}
