import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';

/**
 * A local OpenID Connect issuer for tests: a real HTTP server on a free
 * loopback port serving the discovery document
 * (`/.well-known/openid-configuration`) and the key set (`/jwks`), and
 * signing ID tokens with its current key. `rotate()` makes a new key the
 * signing one (the old stays published unless dropped), so a verifier's
 * fetch of the new kid can be watched in `jwksFetches`.
 */
export class OidcIssuer {
  private server?: Server;
  private keys: { kid: string; alg: string; privateKey: KeyLike; publicJwk: JWK }[] = [];
  /** How many times the key set was fetched. */
  jwksFetches = 0;
  /** How many times the discovery document was fetched. */
  discoveryFetches = 0;
  /** Set to answer the discovery document with another `issuer` (a test of the check). */
  discoveryIssuerOverride?: string;
  issuer = '';

  constructor(private readonly alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256') {}

  async start(): Promise<this> {
    await this.rotate();
    this.server = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/.well-known/openid-configuration') {
        this.discoveryFetches++;
        return send(200, {
          issuer: this.discoveryIssuerOverride ?? this.issuer,
          jwks_uri: `${this.issuer}/jwks`,
          id_token_signing_alg_values_supported: [this.alg],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
        });
      }
      if (req.url === '/jwks') {
        this.jwksFetches++;
        return send(200, this.jwks());
      }
      send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The published key set (public keys only). */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** The current signing key's id. */
  get kid(): string {
    return this.keys[this.keys.length - 1]!.kid;
  }

  /** A new signing key; `dropOld` unpublishes the previous ones. */
  async rotate(opts: { dropOld?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(this.alg, { crv: this.alg === 'EdDSA' ? 'Ed25519' : undefined });
    const kid = randomBytes(8).toString('hex');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: this.alg, use: 'sig' };
    if (opts.dropOld) this.keys = [];
    this.keys.push({ kid, alg: this.alg, privateKey, publicJwk });
    return kid;
  }

  /**
   * An ID token: `iss` this issuer, `iat` now, `exp` in an hour, a `sub`,
   * then `claims` (which override any of them; `undefined` removes one).
   * `header` overrides the protected header (`kid`, `alg`, `typ`).
   */
  async sign(claims: JWTPayload & Record<string, unknown> = {}, opts: { header?: Record<string, unknown>; key?: KeyLike } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(
      Object.entries({ iss: this.issuer, sub: 'user-1', iat: now, exp: now + 3600, ...claims }).filter(([, v]) => v !== undefined),
    );
    const current = this.keys[this.keys.length - 1]!;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: this.alg, kid: current.kid, typ: 'JWT', ...opts.header } as { alg: string })
      .sign(opts.key ?? current.privateKey);
  }
}
