import { Logger } from '@nestjs/common';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { unauthorized } from './bearer';
import { type OidcIssuerConfig } from './tokens.config';

/** How long one fetch of a discovery document or key set may take. */
export const OIDC_FETCH_TIMEOUT_MS = 5_000;
/** How long a fetched key set is used before it is fetched again (a new kid fetches sooner, after the cooldown). */
export const OIDC_JWKS_MAX_AGE_MS = 10 * 60_000;
/** Largest discovery document read. */
const MAX_DISCOVERY_BYTES = 256 * 1024;

const loopbackOrHttps = (url: URL) => url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname));

/**
 * An issuer's signing keys for jose: a JWKS file read at boot, a `jwks_uri`
 * given, or the one its discovery document names (OpenID Connect Discovery
 * 1.0 §4). Discovery happens at the first token, not at boot, so an
 * identity provider that is down does not stop the intermediary; a failed
 * discovery is retried after the key-set cooldown.
 */
export class OidcKeys {
  private resolved?: JWTVerifyGetKey;
  private pending?: Promise<JWTVerifyGetKey>;
  private failedAt = 0;
  private warnedAt = 0;
  private readonly log = new Logger('OidcKeys');

  constructor(private readonly config: OidcIssuerConfig) {
    if (config.keys.kind === 'file') this.resolved = createLocalJWKSet(config.keys.jwks);
    if (config.keys.kind === 'uri') this.resolved = this.remote(new URL(config.keys.uri));
  }

  /** The key resolver; throws a 401 `keys-unavailable` when discovery fails. */
  async getKey(): Promise<JWTVerifyGetKey> {
    if (this.resolved) return this.resolved;
    if (Date.now() - this.failedAt < this.config.jwksCooldownSeconds * 1000) throw this.unavailable();
    this.pending ??= this.discover()
      .then((k) => (this.resolved = k))
      .catch((e: unknown) => {
        this.failedAt = Date.now();
        this.log.warn(`OIDC discovery for ${this.config.issuer} failed: ${(e as Error).message}`);
        throw this.unavailable();
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private unavailable(message = "ID token refused: the issuer's keys cannot be fetched now (OIDC discovery failed)") {
    return unauthorized('oidc', 'keys-unavailable', message);
  }

  /**
   * jose's remote key set. A fetch that fails below JOSE (connection
   * refused, DNS) surfaces as a plain Error: it becomes `keys-unavailable`
   * like jose's own timeouts, and is logged at most once a minute.
   */
  private remote(url: URL): JWTVerifyGetKey {
    const jwks = createRemoteJWKSet(url, {
      timeoutDuration: OIDC_FETCH_TIMEOUT_MS,
      cooldownDuration: this.config.jwksCooldownSeconds * 1000,
      cacheMaxAge: OIDC_JWKS_MAX_AGE_MS,
    });
    return async (header, token) => {
      try {
        return await jwks(header, token);
      } catch (e) {
        if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys || e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) throw e;
        if (Date.now() - this.warnedAt > 60_000) {
          this.warnedAt = Date.now();
          this.log.warn(`the key set of ${this.config.issuer} cannot be fetched: ${(e as Error).message}`);
        }
        throw this.unavailable("ID token refused: the issuer's key set cannot be fetched now");
      }
    };
  }

  /** Reads `<issuer>/.well-known/openid-configuration`; its `issuer` must be the configured one, exactly (§4.3). */
  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(OIDC_FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DISCOVERY_BYTES) throw new Error('discovery document too large');
    const doc = JSON.parse(text) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== this.config.issuer) throw new Error('discovery document names another issuer');
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
    const jwksUri = new URL(doc.jwks_uri);
    if (!loopbackOrHttps(jwksUri)) throw new Error('jwks_uri is not https');
    return this.remote(jwksUri);
  }
}
