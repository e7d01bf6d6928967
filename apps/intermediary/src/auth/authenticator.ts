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
  authenticate(req: HttpRequest): Promise<Identity | undefined>;
}

/** Nest token for the list of configured authenticators, in the order they are asked. */
export const AUTHENTICATORS = Symbol('AUTHENTICATORS');
