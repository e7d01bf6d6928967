import { calculateJwkThumbprint, flattenedVerify, importJWK, type FlattenedJWSInput, type JWK } from 'jose';
import { AcmeProblem } from './problem';

/** The JWS algorithms ACME requests may be signed with (RFC 8555 6.2; RFC 8037 for EdDSA). */
export const ACME_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'EdDSA'] as const;
export type AcmeAlgorithm = (typeof ACME_ALGORITHMS)[number];

export interface AcmeProtectedHeader {
  alg: AcmeAlgorithm;
  /** Empty for keyChange's inner JWS, which must have none. */
  nonce: string;
  url: string;
  jwk?: JWK;
  kid?: string;
}

export interface ParsedJws {
  header: AcmeProtectedHeader;
  jws: FlattenedJWSInput;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The flattened JSON serialisation (RFC 8555 6.2) of a request body, with
 * its protected header checked for form: one of the four algorithms, a
 * nonce, a url, exactly one of jwk and kid. The signature is not checked
 * here (verifyJws); nothing else is accepted: no unprotected header, no
 * general serialisation, no "none" or MAC algorithm.
 */
export function parseJws(body: string, maxBytes: number, opts: { inner?: boolean } = {}): ParsedJws {
  if (Buffer.byteLength(body) > maxBytes) throw new AcmeProblem('malformed', `the JWS is larger than ${maxBytes} bytes`, { status: 413 });
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new AcmeProblem('malformed', 'the body is not JSON (a flattened JWS is expected)');
  }
  if (!isObject(raw)) throw new AcmeProblem('malformed', 'the body is not a JWS object');
  const extra = Object.keys(raw).filter((k) => !['protected', 'payload', 'signature'].includes(k));
  if (extra.length) throw new AcmeProblem('malformed', `the JWS has fields ACME does not allow: ${extra.slice(0, 4).join(', ')} (flattened serialisation, protected header only)`);
  const { protected: prot, payload, signature } = raw;
  if (typeof prot !== 'string' || typeof payload !== 'string' || typeof signature !== 'string' || !B64URL.test(prot) || !B64URL.test(payload) || !B64URL.test(signature) || !prot || !signature) {
    throw new AcmeProblem('malformed', 'the JWS needs base64url "protected", "payload" and "signature" strings');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(prot, 'base64url').toString('utf8'));
  } catch {
    throw new AcmeProblem('malformed', 'the protected header is not base64url JSON');
  }
  if (!isObject(header)) throw new AcmeProblem('malformed', 'the protected header is not a JSON object');
  const { alg, nonce, url, jwk, kid } = header;
  if (typeof alg !== 'string' || !(ACME_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new AcmeProblem('badSignatureAlgorithm', `the JWS algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 16)) : '(none)'} is not supported`, { fields: { algorithms: [...ACME_ALGORITHMS] } });
  }
  if (opts.inner) {
    if (nonce !== undefined) throw new AcmeProblem('malformed', 'the inner JWS must not carry a nonce');
  } else if (typeof nonce !== 'string' || !nonce || !B64URL.test(nonce)) {
    throw new AcmeProblem('badNonce', 'the protected header carries no valid nonce');
  }
  if (typeof url !== 'string' || !url) throw new AcmeProblem('malformed', 'the protected header carries no url');
  if ((jwk === undefined) === (kid === undefined)) throw new AcmeProblem('malformed', 'the protected header must carry exactly one of "jwk" and "kid"');
  if (kid !== undefined && (typeof kid !== 'string' || !kid)) throw new AcmeProblem('malformed', '"kid" must be the account URL');
  if (jwk !== undefined) checkAccountKey(jwk, alg as AcmeAlgorithm);
  return { header: { alg: alg as AcmeAlgorithm, nonce: typeof nonce === 'string' ? nonce : '', url, ...(jwk !== undefined ? { jwk: jwk as JWK } : {}), ...(kid !== undefined ? { kid: kid as string } : {}) }, jws: { protected: prot, payload, signature } };
}

/** An account key: a public key of a type the algorithm names, and nothing private. */
export function checkAccountKey(jwk: unknown, alg: AcmeAlgorithm): asserts jwk is JWK {
  if (!isObject(jwk)) throw new AcmeProblem('malformed', '"jwk" is not a JSON object');
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw new AcmeProblem('badPublicKey', '"jwk" must be a public key');
  const fits =
    (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256') ||
    (alg === 'ES384' && jwk.kty === 'EC' && jwk.crv === 'P-384') ||
    (alg === 'RS256' && jwk.kty === 'RSA') ||
    (alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519');
  if (!fits) throw new AcmeProblem('badPublicKey', `the key (${String(jwk.kty)}${jwk.crv ? ` ${String(jwk.crv)}` : ''}) does not fit algorithm ${alg}`);
}

/** The JWK's public members only, in the form the thumbprint and the database keep. */
export function publicJwk(jwk: JWK): JWK {
  const keep = jwk.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y'];
  const members = jwk as unknown as Record<string, unknown>;
  return Object.fromEntries(keep.filter((k) => members[k] !== undefined).map((k) => [k, members[k]])) as unknown as JWK;
}

export function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk(jwk), 'sha256');
}

/**
 * Checks the signature with `jwk` and returns the payload: `undefined` for
 * POST-as-GET (an empty payload), else the parsed JSON object.
 */
export async function verifyJws(parsed: ParsedJws, jwk: JWK): Promise<Record<string, unknown> | undefined> {
  let payload: Uint8Array;
  try {
    const key = await importJWK(publicJwk(jwk), parsed.header.alg);
    ({ payload } = await flattenedVerify(parsed.jws, key, { algorithms: [parsed.header.alg] }));
  } catch (e) {
    throw new AcmeProblem('malformed', `the JWS signature does not verify with the ${parsed.header.jwk ? 'key in "jwk"' : "account's key"}${e instanceof Error && /modulusLength/.test(e.message) ? ' (RSA keys need 2048 bits or more)' : ''}`);
  }
  if (payload.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new AcmeProblem('malformed', 'the JWS payload is not JSON');
  }
  if (!isObject(value)) throw new AcmeProblem('malformed', 'the JWS payload must be a JSON object');
  return value;
}

/** RFC 8555 6.4: the signed url must be exactly the URL the request was sent to. */
export function checkUrl(parsed: ParsedJws, requestUrl: string): void {
  if (parsed.header.url !== requestUrl) throw new AcmeProblem('unauthorized', `the JWS url does not match the request URL ${requestUrl}`);
}

/**
 * External Account Binding (RFC 8555 7.3.4): a JWS MAC'd with the
 * operator's key over the new account's public key, for the newAccount URL.
 * `keyOf` finds the MAC key of a kid (undefined: unknown). Returns the kid.
 */
export async function verifyExternalAccountBinding(
  eab: unknown,
  accountJwk: JWK,
  url: string,
  keyOf: (kid: string) => Promise<Uint8Array | undefined>,
): Promise<string> {
  if (!isObject(eab) || typeof eab.protected !== 'string' || typeof eab.payload !== 'string' || typeof eab.signature !== 'string') {
    throw new AcmeProblem('malformed', 'externalAccountBinding must be a flattened JWS');
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(eab.protected, 'base64url').toString('utf8'));
  } catch {
    throw new AcmeProblem('malformed', 'externalAccountBinding: the protected header is not base64url JSON');
  }
  if (!isObject(header) || !['HS256', 'HS384', 'HS512'].includes(header.alg as string)) throw new AcmeProblem('badSignatureAlgorithm', 'externalAccountBinding must be MAC\'d with HS256, HS384 or HS512', { fields: { algorithms: ['HS256', 'HS384', 'HS512'] } });
  if ('nonce' in header) throw new AcmeProblem('malformed', 'externalAccountBinding must not carry a nonce');
  if (header.url !== url) throw new AcmeProblem('unauthorized', 'externalAccountBinding: url must be the newAccount URL');
  if (typeof header.kid !== 'string' || !header.kid || header.kid.length > 256) throw new AcmeProblem('malformed', 'externalAccountBinding needs a kid');
  const key = await keyOf(header.kid);
  if (!key) throw new AcmeProblem('unauthorized', 'externalAccountBinding: the key id is unknown or already bound to an account');
  let payload: Uint8Array;
  try {
    ({ payload } = await flattenedVerify({ protected: eab.protected, payload: eab.payload, signature: eab.signature }, key, { algorithms: [header.alg as string] }));
  } catch {
    throw new AcmeProblem('unauthorized', 'externalAccountBinding: the MAC does not verify');
  }
  let bound: unknown;
  try {
    bound = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new AcmeProblem('malformed', 'externalAccountBinding: the payload is not a JWK');
  }
  if (!isObject(bound) || (await thumbprint(bound as unknown as JWK).catch(() => '')) !== (await thumbprint(accountJwk))) {
    throw new AcmeProblem('unauthorized', 'externalAccountBinding: the payload is not the account key');
  }
  return header.kid;
}
