import { ConfigError } from '@signet/config';
import { ENROLLMENT_ALGORITHMS, enrollmentAlgorithmFor, EnrollmentKeyNameSchema, type EnrollmentAlgorithm } from '@signet/contracts';
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One registered enrollment key: the issuer it signs as, its key id, the one algorithm it may use. */
export interface EnrollmentKey {
  /** The `iss` of every token it signs. */
  readonly name: string;
  /** The header `kid` its tokens carry: the JWK's own, or its RFC 7638 thumbprint. */
  readonly kid: string;
  readonly alg: EnrollmentAlgorithm;
  readonly key: KeyObject;
}

const VAR = 'SIGNET_ENROLLMENT_KEYS_FILE';

function fail(message: string): never {
  throw new ConfigError(`${VAR}: ${message}`, [VAR]);
}

/** The members RFC 7638 hashes, per key type. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

/** RFC 7638 JWK thumbprint (SHA-256, base64url): the key id `signet token enroll` puts in the header when none was registered. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  const members = THUMBPRINT_MEMBERS[jwk.kty] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

function algorithmOf(key: KeyObject, where: string, declared?: unknown): EnrollmentAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  const alg = enrollmentAlgorithmFor({ asymmetricKeyType: key.asymmetricKeyType, namedCurve: details.namedCurve, modulusLength: details.modulusLength });
  if (!alg) fail(`${where} is a ${key.asymmetricKeyType ?? 'kind of'} key no accepted algorithm uses (accepted: P-256 ES256, P-384 ES384, RSA ≥ 2048 bits RS256, Ed25519 EdDSA)`);
  if (declared !== undefined) {
    if (typeof declared !== 'string' || !(ENROLLMENT_ALGORITHMS as readonly string[]).includes(declared)) fail(`${where} has alg ${JSON.stringify(declared)}, which is not accepted (${ENROLLMENT_ALGORITHMS.join(', ')})`);
    if (declared !== alg) fail(`${where} has alg ${declared}, but its key is for ${alg}`);
  }
  return alg;
}

function name(value: unknown, where: string): string {
  const r = EnrollmentKeyNameSchema.safeParse(value);
  if (!r.success) fail(`${where}: ${r.error.issues[0]?.message ?? 'bad name'}`);
  return r.data;
}

/**
 * A JWKS (`{"keys": [...]}`): each key's name is its `iss` member, else its
 * `kid`; its key id is its `kid`, else its thumbprint; its algorithm is
 * pinned by its type (and `alg`, when given, must agree).
 */
function fromJwks(text: string): EnrollmentKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('is neither a JWKS (JSON) nor PEM: the JSON does not parse');
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) fail('the JWKS has no "keys" array');
  return keys.map((jwk: Record<string, unknown>, i) => {
    const where = `key ${i + 1}`;
    if (typeof jwk !== 'object' || jwk === null) fail(`${where} is not a JWK object`);
    if ('d' in jwk || jwk.kty === 'oct') fail(`${where} is a private or secret key: register the public key only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') fail(`${where} has use ${JSON.stringify(jwk.use)}; an enrollment key signs (use "sig")`);
    if (jwk.iss === undefined && jwk.kid === undefined) fail(`${where} has no name: give it an "iss" (the issuer its tokens name) or a "kid"`);
    const keyName = name(jwk.iss ?? jwk.kid, `${where}'s name`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      fail(`${where} (${keyName}) is not a valid public JWK`);
    }
    const alg = algorithmOf(key, `${where} (${keyName})`, jwk.alg);
    if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(jwk.kid))) fail(`${where} (${keyName}) has a kid that is not 1-128 printable characters`);
    return { name: keyName, kid: (jwk.kid as string | undefined) ?? jwkThumbprint(key), alg, key };
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * PEM public keys, each preceded by `name: <iss>` (and optionally
 * `kid: <id>`) on lines of its own: RFC 7468 lets explanatory text stand
 * between blocks. The key id is the thumbprint unless given.
 */
function fromPem(text: string): EnrollmentKey[] {
  const out: EnrollmentKey[] = [];
  let from = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const where = `key ${out.length + 1}`;
    const preamble = text.slice(from, m.index);
    from = m.index + m[0].length;
    if (m[1] !== 'PUBLIC KEY') fail(`${where} is a ${m[1]} block: register PUBLIC KEY blocks only (never a private key)`);
    const named = /^[ \t]*name:[ \t]*(\S+)[ \t]*$/m.exec(preamble);
    if (!named) fail(`${where} has no "name: <issuer>" line before it`);
    const keyName = name(named[1], `${where}'s name`);
    const kid = /^[ \t]*kid:[ \t]*([\x21-\x7e]{1,128})[ \t]*$/m.exec(preamble)?.[1];
    let key: KeyObject;
    try {
      key = createPublicKey(m[0]);
    } catch {
      fail(`${where} (${keyName}) is not a valid PEM public key`);
    }
    out.push({ name: keyName, kid: kid ?? jwkThumbprint(key), alg: algorithmOf(key, `${where} (${keyName})`), key });
  }
  if (/-----BEGIN /.test(text.slice(from))) fail(`key ${out.length + 1} is an unterminated PEM block`);
  return out;
}

/** Reads and checks the registered enrollment keys; throws ConfigError naming the variable and the key. */
export function loadEnrollmentKeys(path: string): EnrollmentKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const keys = text.trimStart().startsWith('{') ? fromJwks(text) : fromPem(text);
  if (keys.length === 0) fail(`${path} holds no key`);
  const seen = new Set<string>();
  for (const k of keys) {
    const id = `${k.name} ${k.kid}`;
    if (seen.has(id)) fail(`key ${k.name} with kid ${k.kid} is listed twice`);
    seen.add(id);
  }
  return keys;
}
