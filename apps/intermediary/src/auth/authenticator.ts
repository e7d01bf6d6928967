import { type Identity, type IdentityMethod } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';

/**
 * One way an enrollee proves who it is (ADR 0026): a TLS client
 * certificate, an enrollment token, an OIDC ID token, an enrollment secret.
 * The operator configures which run; the intermediary asks each in turn.
 *
 * - `undefined`: this request carries no credential of this kind; the next
 *   authenticator is asked, and if none applies the caller is anonymous.
 * - an Identity: the credential was checked; what it proved.
 * - throws SignetError UNAUTHORIZED (401, with a reason, never the
 *   credential): a credential of this kind was presented and does not hold.
 *   A bad credential is never downgraded to anonymous.
 */
export interface Authenticator {
  readonly method: IdentityMethod;
  authenticate(req: HttpRequest, ctx?: AuthContext): Promise<Identity | undefined>;
}

/**
 * What a front door knows about the call beyond the HTTP request. EST's
 * device retries a pending request with the same one-time credential the
 * first attempt spent (RFC 7030 §4.2.3); `retryKeyFor` gives the
 * idempotency key that request would carry for a requester, so a spent
 * enrollment secret can still hold for a retry of exactly the request it
 * spent itself on (ADR 0039).
 */
export interface AuthContext {
  retryKeyFor?: (requester: Pick<Identity, 'method' | 'principal'>) => string;
}

/** Nest token for the list of configured authenticators, in the order they are asked. */
export const AUTHENTICATORS = Symbol('AUTHENTICATORS');
