import { ENROLLMENT_TOKEN_TYPE, type SanType } from '@signet/contracts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** What an enrollment token vouches for (ADR 0031): the claims an operator puts in with `signet token enroll`. */
export interface EnrollmentClaims {
  sub: string;
  /** The names it proves: a string (type inferred) or `{type, value}`. Absent: none. */
  sans?: (string | { type: SanType; value: string })[];
  template?: string;
  groups?: string[];
  subject?: { type: string; value: string }[];
  ttlSeconds?: number;
}

/**
 * An operator's enrollment key (P-256, ES256), as an operator registers it
 * at the intermediary: the public half in SIGNET_ENROLLMENT_KEYS_FILE under
 * its name, the private half minting tokens (what `signet token enroll`
 * does, without spawning the CLI for every token).
 */
export class EnrollmentKey {
  private readonly pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  constructor(readonly name = 'e2e-ops') {}

  /** The keys file's content: a named PEM block. */
  get publicFile(): string {
    return `name: ${this.name}\n${this.pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()}`;
  }

  /** The private key as PEM (for `signet token enroll --key`). */
  get privatePem(): string {
    return this.pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** A one-time token for `audience` (the intermediary's SIGNET_ENROLLMENT_TOKEN_AUDIENCE). The issuer has one key, so no `kid`. */
  mint(audience: string, claims: EnrollmentClaims): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const { ttlSeconds = 300, ...rest } = claims;
    return new SignJWT({ ...rest, iss: this.name, aud: audience, iat, nbf: iat, exp: iat + ttlSeconds, jti: randomBytes(16).toString('base64url') })
      .setProtectedHeader({ alg: 'ES256', typ: ENROLLMENT_TOKEN_TYPE })
      .sign(this.pair.privateKey);
  }
}

/** The Authorization header carrying a Bearer token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The Authorization header carrying an enrollment secret (`<id>:<secret>`) as EST's HTTP Basic. */
export const basic = (credential: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(credential).toString('base64')}` });
