import { type Provider } from '@nestjs/common';
import { ENROLLMENT_TOKEN_TYPE } from '@signet/contracts';
import { type Authenticator } from './authenticator';
import { BearerIssuers } from './bearer';
import { EnrollmentTokenAuthenticator } from './enrollment-token.authenticator';
import { OidcAuthenticator } from './oidc.authenticator';
import { type TokenAuthConfig } from './tokens.config';

/**
 * The bearer-token authenticators the configuration turns on, enrollment
 * tokens first, then OIDC (ADR 0031). Empty when neither is configured.
 * They share one BearerIssuers, so their order among the other methods
 * does not matter: a Bearer JWT neither accepts is refused by whichever is
 * asked first.
 */
export function tokenAuthenticators(config: TokenAuthConfig): Authenticator[] {
  const issuers = new BearerIssuers(
    config.enrollment ? { keyNames: new Set(config.enrollment.keys.map((k) => k.name)), type: ENROLLMENT_TOKEN_TYPE } : undefined,
    new Set(config.oidc.map((o) => o.issuer)),
  );
  const list: Authenticator[] = [];
  if (config.enrollment) list.push(new EnrollmentTokenAuthenticator(config.enrollment, issuers, config.clockSkewSeconds));
  if (config.oidc.length > 0) list.push(new OidcAuthenticator(config.oidc, issuers, config.clockSkewSeconds));
  return list;
}

/** Nest token for the bearer-token authenticators (an `Authenticator[]`), to be spread into AUTHENTICATORS. */
export const TOKEN_AUTHENTICATORS = Symbol('TOKEN_AUTHENTICATORS');

/** The provider of TOKEN_AUTHENTICATORS for the auth module. */
export function tokenAuthenticatorProviders(config: TokenAuthConfig): Provider[] {
  return [{ provide: TOKEN_AUTHENTICATORS, useFactory: (): Authenticator[] => tokenAuthenticators(config) }];
}
