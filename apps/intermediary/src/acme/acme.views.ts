import { type AcmeConfig } from './acme.config';
import { type AccountRow, type AuthzRow, type ChallengeRow, type OrderRow } from './acme.store';
import { type AcmeUrls } from './acme.urls';

/** The JSON representations of RFC 8555 7.1 (pure: rows and URLs in, objects out). */

export function directoryView(urls: AcmeUrls, config: AcmeConfig): Record<string, unknown> {
  return {
    newNonce: urls.newNonce(),
    newAccount: urls.newAccount(),
    newOrder: urls.newOrder(),
    keyChange: urls.keyChange(),
    revokeCert: urls.revokeCert(),
    renewalInfo: urls.renewalInfo(),
    meta: {
      ...(config.termsOfService ? { termsOfService: config.termsOfService } : {}),
      ...(config.website ? { website: config.website } : {}),
      externalAccountRequired: config.eabRequired,
      // draft-ietf-acme-profiles: name → description; each is one template.
      profiles: Object.fromEntries(config.profiles.map((p) => [p.name, `certificates from template ${p.template}`])),
    },
  };
}

export function accountView(urls: AcmeUrls, a: AccountRow): Record<string, unknown> {
  return { status: a.status, contact: a.contact, termsOfServiceAgreed: a.tosAgreed, orders: urls.accountOrders(a.id), createdAt: a.createdAt.toISOString() };
}

export function orderView(urls: AcmeUrls, o: OrderRow, authzIds: string[]): Record<string, unknown> {
  return {
    status: o.status,
    expires: o.expiresAt.toISOString(),
    identifiers: o.identifiers,
    ...(o.notBefore ? { notBefore: o.notBefore.toISOString() } : {}),
    ...(o.notAfter ? { notAfter: o.notAfter.toISOString() } : {}),
    profile: o.profile,
    ...(o.replaces ? { replaces: o.replaces } : {}),
    ...(o.error ? { error: o.error } : {}),
    authorizations: authzIds.map((id) => urls.authz(id)),
    finalize: urls.finalize(o.id),
    ...(o.status === 'valid' && o.certificate ? { certificate: urls.certificate(o.id) } : {}),
  };
}

export function challengeView(urls: AcmeUrls, c: ChallengeRow): Record<string, unknown> {
  return {
    type: c.type,
    url: urls.challenge(c.id),
    token: c.token,
    status: c.status,
    ...(c.validatedAt ? { validated: c.validatedAt.toISOString() } : {}),
    ...(c.error ? { error: c.error } : {}),
  };
}

export function authzView(urls: AcmeUrls, a: AuthzRow, challenges: ChallengeRow[]): Record<string, unknown> {
  // RFC 8555 7.1.4: a valid authorisation lists only the challenge that made it valid.
  const shown = a.status === 'valid' ? challenges.filter((c) => c.status === 'valid') : challenges;
  return {
    identifier: a.identifier,
    status: a.status,
    expires: a.expiresAt.toISOString(),
    challenges: shown.map((c) => challengeView(urls, c)),
    ...(a.wildcard ? { wildcard: true } : {}),
  };
}
