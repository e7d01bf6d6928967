import { type Identity, type ProvenName } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { jwtVerify, type JWTPayload } from 'jose';
import { type Authenticator } from './authenticator';
import { checkedIdentity, refusal, unauthorized, type BearerIssuers } from './bearer';
import { OidcKeys } from './oidc-keys';
import { type OidcIssuerConfig } from './tokens.config';

const WHAT = 'ID token';
const MAX_GROUPS = 64;

/**
 * OpenID Connect ID tokens from a configured issuer (ADR 0031, step-ca's
 * OIDC provisioner). Checked: the issuer's key (jose, from its JWKS), one
 * of the accepted asymmetric algorithms, `iss` exactly, `aud` holding the
 * client id (and `azp` equal to it when there are several audiences),
 * `exp`, `nbf`, and `iat` no older than the maximum age: an ID token is a
 * bearer credential for its whole life, so only a fresh one enrolls. Not
 * one-time. Names: the email when `email_verified` is true, a UPN claim
 * when configured; groups from the groups claim; the subject's CN from
 * `name`.
 */
export class OidcAuthenticator implements Authenticator {
  readonly method = 'oidc' as const;
  private readonly byIssuer = new Map<string, { config: OidcIssuerConfig; keys: OidcKeys }>();

  constructor(
    configs: readonly OidcIssuerConfig[],
    private readonly issuers: BearerIssuers,
    private readonly clockSkewSeconds: number,
  ) {
    for (const config of configs) this.byIssuer.set(config.issuer, { config, keys: new OidcKeys(config) });
  }

  async authenticate(req: HttpRequest): Promise<Identity | undefined> {
    const jwt = this.issuers.forMethod(req, this.method);
    if (!jwt) return undefined;
    const issuer = this.byIssuer.get(jwt.iss);
    if (!issuer) return undefined;
    const { config } = issuer;
    // RFC 9068: an access token from the same issuer is for a resource server, not a login of this client.
    if (typeof jwt.header.typ === 'string' && /^(application\/)?at\+jwt$/i.test(jwt.header.typ)) {
      throw unauthorized(this.method, 'wrong-type', `${WHAT} refused: it is an access token (typ at+jwt), not an ID token`);
    }
    const getKey = await issuer.keys.getKey();
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      const r = await jwtVerify(jwt.token, getKey, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.clientId,
        clockTolerance: this.clockSkewSeconds,
        maxTokenAge: config.maxTokenAgeSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      payload = r.payload;
      kid = r.protectedHeader.kid;
    } catch (e) {
      throw refusal(this.method, WHAT, e, { maxAgeSeconds: config.maxTokenAgeSeconds });
    }
    // OpenID Connect Core §3.1.3.7: with several audiences, the party it was issued to must be this client.
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== config.clientId) {
      throw unauthorized(this.method, 'wrong-audience', `${WHAT} refused: it has several audiences and its azp is not this client`);
    }
    const sub = payload.sub!;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw unauthorized(this.method, 'bad-claim', `${WHAT} refused: its sub claim is invalid`);
    const name = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim() : undefined;
    return checkedIdentity(this.method, WHAT, {
      method: this.method,
      principal: `${config.issuer}#${sub}`,
      names: this.names(payload, config),
      groups: this.groups(payload, config),
      ...(name ? { subject: [{ type: 'CN', value: name }] } : {}),
      evidence: { iss: config.issuer, sub, ...(kid ? { kid } : {}), exp: new Date((payload.exp as number) * 1000).toISOString() },
    });
  }

  /** The email only when the issuer says it verified it; a UPN claim only when the operator named one. */
  private names(p: JWTPayload, config: OidcIssuerConfig): ProvenName[] {
    const names: ProvenName[] = [];
    if (typeof p.email === 'string' && p.email_verified === true) names.push({ type: 'email', value: p.email });
    const upn = config.upnClaim ? p[config.upnClaim] : undefined;
    if (typeof upn === 'string' && /^[^\s@]+@[^\s@]+$/.test(upn)) names.push({ type: 'upn', value: upn });
    return names;
  }

  /** The groups claim: a list of strings (or one string). More than 64 groups is refused rather than cut, so no group is silently lost. */
  private groups(p: JWTPayload, config: OidcIssuerConfig): string[] {
    const raw = p[config.groupsClaim];
    if (raw === undefined) return [];
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || !list.every((g) => typeof g === 'string')) throw unauthorized(this.method, 'bad-claim', `${WHAT} refused: its ${config.groupsClaim} claim is not a list of strings`);
    if (list.length > MAX_GROUPS) throw unauthorized(this.method, 'bad-claim', `${WHAT} refused: its ${config.groupsClaim} claim lists more than ${MAX_GROUPS} groups`);
    return [...new Set(list as string[])];
  }
}
