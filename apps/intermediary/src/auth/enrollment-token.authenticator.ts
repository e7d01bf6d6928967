import { ENROLLMENT_TOKEN_TYPE, EnrollmentTokenClaimsSchema, provenNameOf, type Identity, type ProvenName } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { jwtVerify } from 'jose';
import { type Authenticator } from './authenticator';
import { checkedIdentity, refusal, unauthorized, type BearerIssuers, type PresentedJwt } from './bearer';
import { type EnrollmentKey } from './enrollment-keys';
import { type EnrollmentTokenConfig } from './tokens.config';

const WHAT = 'enrollment token';

/**
 * One-time enrollment tokens (ADR 0031, step-ca's JWK provisioner): a JWT
 * an operator signed with an enrollment key registered here, naming the
 * names and template it authorises. Checked: the registered key of its
 * `iss` and `kid`, with the one algorithm that key is pinned to; `typ`,
 * `aud`, `exp`, `nbf`, `iat` (not in the future, life no longer than the
 * maximum), `jti`. Single use is ca-core's part: the identity carries
 * `oneTime`, which it records with the request and refuses a second time.
 */
export class EnrollmentTokenAuthenticator implements Authenticator {
  readonly method = 'enrollment-token' as const;
  private readonly byName = new Map<string, EnrollmentKey[]>();

  constructor(
    private readonly config: EnrollmentTokenConfig,
    private readonly issuers: BearerIssuers,
    private readonly clockSkewSeconds: number,
  ) {
    for (const k of config.keys) this.byName.set(k.name, [...(this.byName.get(k.name) ?? []), k]);
  }

  async authenticate(req: HttpRequest): Promise<Identity | undefined> {
    const jwt = this.issuers.forMethod(req, this.method);
    if (!jwt) return undefined;
    const key = this.keyFor(jwt);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt.token, key.key, {
        algorithms: [key.alg],
        typ: ENROLLMENT_TOKEN_TYPE,
        issuer: key.name,
        audience: this.config.audience,
        clockTolerance: this.clockSkewSeconds,
        // iat must be present, not in the future, and no older than the longest life a token may have.
        maxTokenAge: this.config.maxTtlSeconds,
        requiredClaims: ['sub', 'exp', 'jti'],
      }));
    } catch (e) {
      throw refusal(this.method, WHAT, e, { maxAgeSeconds: this.config.maxTtlSeconds });
    }
    const parsed = EnrollmentTokenClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw unauthorized(this.method, 'bad-claim', `${WHAT} refused: its ${issue?.path.join('.') || 'claims'} claim is invalid${issue?.path[0] === 'jti' ? ` (${issue.message})` : ''}`);
    }
    const c = parsed.data;
    if (c.exp - c.iat > this.config.maxTtlSeconds) {
      throw unauthorized(this.method, 'lifetime-too-long', `${WHAT} refused: it lives ${c.exp - c.iat} s (exp − iat), longer than the ${this.config.maxTtlSeconds} s allowed`);
    }
    const names: ProvenName[] = (c.sans ?? []).map((entry, i) => {
      const name = provenNameOf(entry);
      if (!name) throw unauthorized(this.method, 'bad-claim', `${WHAT} refused: sans[${i}] is not a valid ${typeof entry === 'string' ? 'name' : `${entry.type} name`}`);
      return name;
    });
    return checkedIdentity(this.method, WHAT, {
      method: this.method,
      principal: `${c.iss}:${c.sub}`,
      names,
      groups: c.groups ?? [],
      ...(c.template ? { template: c.template } : {}),
      ...(c.subject ? { subject: c.subject } : {}),
      oneTime: `enrollment-token:${c.iss}:${c.jti}`,
      evidence: { iss: c.iss, kid: key.kid, jti: c.jti, exp: new Date(c.exp * 1000).toISOString() },
    });
  }

  /** The registered key the token names: its issuer's, by `kid` (which may be left out when the issuer has one key). */
  private keyFor(jwt: PresentedJwt): EnrollmentKey {
    const keys = this.byName.get(jwt.iss);
    if (!keys) throw unauthorized(this.method, 'unknown-issuer', `${WHAT} refused: no enrollment key is registered under its issuer (iss)`);
    const kid = jwt.header.kid;
    if (kid === undefined) {
      if (keys.length === 1) return keys[0]!;
      throw unauthorized(this.method, 'unknown-key', `${WHAT} refused: it names no key id (kid), and its issuer has several keys`);
    }
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw unauthorized(this.method, 'unknown-key', `${WHAT} refused: its key id (kid) is not registered for its issuer`);
    return key;
  }
}
