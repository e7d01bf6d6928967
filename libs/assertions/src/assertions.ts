import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { readSecret } from '@signet/config';

/**
 * Signed assertions between Signet's own services (ADR 0026): a service
 * that established something (a front door: who is asking; admin-api: which
 * administrator) signs it as a short-lived JWT with its Ed25519 key, and the
 * service that acts on it (ca-core) verifies it with public keys from its
 * own configuration. A message on the bus is then a credential, not a claim:
 * a process that can publish on the subject but holds no key proves nothing.
 */

/** The one algorithm: Ed25519 (RFC 8037). Small keys, deterministic signatures, no parameters to get wrong. */
export const ASSERTION_ALG = 'EdDSA';

export interface SigningKey {
  /** RFC 7638-style key id: base64url SHA-256 of the public key's DER, first 16 characters. */
  readonly kid: string;
  readonly key: KeyObject;
}

export interface VerifyKeys {
  readonly byKid: ReadonlyMap<string, KeyObject>;
}

/** Every reason an assertion is refused for (`details.reason` of the UNAUTHORIZED a verifier answers). */
export const ASSERTION_REFUSALS = [
  'malformed',
  'unknown-key',
  'bad-signature',
  'expired',
  'not-yet-valid',
  'wrong-audience',
  'wrong-type',
  'wrong-issuer',
  'bad-claims',
  /** Bound to another command or another message body than the one it came with (admin assertions). */
  'wrong-command',
  'wrong-body',
] as const;
export type AssertionRefusal = (typeof ASSERTION_REFUSALS)[number];

/** Why an assertion was refused; the message never carries the assertion itself. */
export class AssertionError extends Error {
  constructor(
    readonly reason: AssertionRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'AssertionError';
  }
}

function kidOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} must be an Ed25519 key, not ${key.asymmetricKeyType ?? key.type}`);
}

/** A new Ed25519 key pair as PEM (PKCS#8 private, SPKI public), for set-up scripts and tests. */
export function generateAssertionKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A signing key from its PKCS#8 PEM. Throws a message that names `what`, never the key. */
export function loadSigningKey(pem: string, what = 'signing key'): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${what} is not a PEM private key`);
  }
  requireEd25519(key, what);
  return { kid: kidOf(createPublicKey(key)), key };
}

/**
 * Verification keys from one or more SPKI PEM blocks (two during a
 * rotation: the old and the new). Private keys are accepted too and reduced
 * to their public half, so one file can serve a single-host set-up.
 */
export function loadVerifyKeys(pems: string, what = 'verification keys'): VerifyKeys {
  const blocks = pems.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${what}: no PEM key found`);
  const byKid = new Map<string, KeyObject>();
  for (const [i, block] of blocks.entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch {
      throw new Error(`${what}: key ${i + 1} is not a PEM public key`);
    }
    requireEd25519(key, `${what}: key ${i + 1}`);
    byKid.set(kidOf(key), key);
  }
  return { byKid };
}

export interface SignOptions {
  /** Who signs: the service name (`intermediary`, `admin-api`). */
  issuer: string;
  /** Who may act on it, e.g. `ca-core:<ca>`. */
  audience: string;
  /** What it asserts; checked by the verifier so one kind is never taken for another. */
  type: string;
  /** Lifetime; short, the message is acted on at once. */
  ttlSeconds: number;
  /** For tests with a clock; otherwise now. */
  now?: Date;
}

/** Signs `claims` as a compact JWT (header `typ` = type, `kid` = the key's id). */
export async function signAssertion(key: SigningKey, claims: Record<string, unknown>, o: SignOptions): Promise<string> {
  const iat = Math.floor((o.now ?? new Date()).getTime() / 1000);
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: ASSERTION_ALG, typ: o.type, kid: key.kid })
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + o.ttlSeconds)
    .sign(key.key);
}

export interface VerifyOptions {
  audience: string;
  type: string;
  /** Accepted issuers; any when absent. */
  issuers?: readonly string[];
  /** Clock skew allowed between hosts. */
  clockToleranceSeconds?: number;
  /** For tests with a clock; otherwise now. */
  now?: Date;
}

/** Verifies and returns the claims; throws AssertionError naming why. */
export async function verifyAssertion(keys: VerifyKeys, jwt: string, o: VerifyOptions): Promise<JWTPayload> {
  if (typeof jwt !== 'string' || jwt.length > 65_536 || jwt.split('.').length !== 3) throw new AssertionError('malformed', 'assertion is not a compact JWS');
  try {
    const { payload } = await jwtVerify(
      jwt,
      async (header) => {
        if (header.alg !== ASSERTION_ALG) throw new AssertionError('malformed', `assertion algorithm must be ${ASSERTION_ALG}`);
        const k = typeof header.kid === 'string' ? keys.byKid.get(header.kid) : undefined;
        if (!k) throw new AssertionError('unknown-key', 'assertion is signed by a key this service does not trust');
        return k;
      },
      {
        algorithms: [ASSERTION_ALG],
        audience: o.audience,
        typ: o.type,
        ...(o.issuers ? { issuer: [...o.issuers] } : {}),
        clockTolerance: o.clockToleranceSeconds ?? 5,
        requiredClaims: ['iat', 'nbf', 'exp', 'iss', 'aud'],
        ...(o.now ? { currentDate: o.now } : {}),
      },
    );
    return payload;
  } catch (e) {
    throw toAssertionError(e);
  }
}

function toAssertionError(e: unknown): AssertionError {
  if (e instanceof AssertionError) return e;
  if (e instanceof errors.JWTExpired) return new AssertionError('expired', 'assertion has expired');
  if (e instanceof errors.JWSSignatureVerificationFailed) return new AssertionError('bad-signature', 'assertion signature does not verify');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return new AssertionError('wrong-audience', 'assertion is for another audience');
    if (e.claim === 'typ') return new AssertionError('wrong-type', 'assertion is of another type');
    if (e.claim === 'iss') return new AssertionError('wrong-issuer', 'assertion is from an issuer this service does not accept');
    if (e.claim === 'iat' || e.claim === 'nbf') return new AssertionError('not-yet-valid', 'assertion is not valid yet');
    return new AssertionError('bad-claims', `assertion claim ${e.claim} is invalid`);
  }
  return new AssertionError('malformed', 'assertion cannot be read');
}

/**
 * Verification keys from `name` or `name_FILE` (`readSecret`'s convention):
 * undefined when neither is set; a file that cannot be read or a block that
 * is no Ed25519 public key is a start-time problem pushed onto `problems`,
 * naming the variable, never the key.
 */
export function readVerifyKeys(env: NodeJS.ProcessEnv, name: string, problems: string[]): VerifyKeys | undefined {
  try {
    const pems = readSecret(env, name);
    return pems ? loadVerifyKeys(pems, name) : undefined;
  } catch (e) {
    problems.push((e as Error).message);
    return undefined;
  }
}
