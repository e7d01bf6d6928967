import { createHash, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import type { PublicKeyInfo } from '@signet/contracts';
import { malformed } from './der';
import { oidText, readChildren, readElement, readSpki } from './der-reader';
import { OID } from './oids';

/** Node's curve names to the NIST names Signet uses everywhere. */
const CURVES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};

const EC_P256 = '1.2.840.10045.3.1.7';

/**
 * The key of a canonical P-256, Ed25519 or RSA SubjectPublicKeyInfo as a
 * JWK, or undefined. OpenSSL 3 decodes any DER key through its generic
 * decoder chain (110–150 µs a key on this project's machines); from a JWK
 * the same key object is made in a fraction of that, which every request
 * pays once (its key is new each time). Only exact, minimal encodings are
 * taken; a P-256 point off the curve is refused by the JWK import too.
 */
function canonicalJwk(spki: Buffer): JsonWebKey | undefined {
  const p = readSpki(spki);
  if (!p) return undefined;
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  if (p.algorithm === OID.ecPublicKey) {
    if (!p.params || oidText(spki, p.params) !== EC_P256 || p.key.length !== 65 || p.key[0] !== 0x04) return undefined;
    return { kty: 'EC', crv: 'P-256', x: b64(p.key.subarray(1, 33)), y: b64(p.key.subarray(33)) };
  }
  if (p.algorithm === OID.ed25519) return !p.params && p.key.length === 32 ? { kty: 'OKP', crv: 'Ed25519', x: b64(p.key) } : undefined;
  if (p.algorithm === OID.rsaEncryption) {
    if (!p.params || p.params.tag !== 0x05 || p.params.end !== p.params.body) return undefined;
    const key = readElement(p.key, 0, p.key.length);
    const ints = key && key.tag === 0x30 && key.end === p.key.length ? readChildren(p.key, key, 2) : undefined;
    if (!ints || ints.length !== 2) return undefined;
    const [n, e] = ints.map((i) => (i.tag === 0x02 ? positiveInteger(p.key.subarray(i.body, i.end)) : undefined));
    return n && e ? { kty: 'RSA', n: b64(n), e: b64(e) } : undefined;
  }
  return undefined;
}

/** The magnitude of a minimally encoded positive INTEGER, or undefined. */
function positiveInteger(c: Uint8Array): Uint8Array | undefined {
  if (c.length === 0 || c[0] & 0x80) return undefined;
  if (c[0] === 0) return c.length > 1 && c[1] & 0x80 ? c.subarray(1) : undefined;
  return c;
}

/** A KeyObject from SubjectPublicKeyInfo DER; MalformedRequest when Node cannot read it. */
export function publicKeyFromSpki(spki: Buffer): KeyObject {
  const jwk = canonicalJwk(spki);
  if (jwk) {
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      // Left to the DER import below, which gives the error its message.
    }
  }
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e) {
    throw malformed(`SubjectPublicKeyInfo: unreadable public key (${(e as Error).message})`);
  }
}

/**
 * What policy needs to know about a public key:
 *
 *   SubjectPublicKeyInfo  ::=  SEQUENCE  {
 *        algorithm            AlgorithmIdentifier,
 *        subjectPublicKey     BIT STRING  }
 *
 * RSA bits are the modulus bit length; EC bits the field size.
 */
export function describePublicKey(spki: Buffer): PublicKeyInfo {
  return describeKeyObject(publicKeyFromSpki(spki), spki);
}

/** describePublicKey for a key object the caller made from `spki` already (and uses for more than this). */
export function describeKeyObject(key: KeyObject, spki: Buffer): PublicKeyInfo {
  const spkiSha256 = createHash('sha256').update(spki).digest('hex');
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { algorithm: 'rsa', bits: d.modulusLength ?? 0, spkiSha256 };
    case 'ec': {
      const c = CURVES[d.namedCurve ?? ''];
      return c
        ? { algorithm: 'ec', bits: c.bits, curve: c.name, spkiSha256 }
        : { algorithm: 'ec', bits: 0, curve: (d.namedCurve ?? 'unknown').slice(0, 64), spkiSha256 };
    }
    case 'ed25519':
      return { algorithm: 'ed25519', bits: 256, spkiSha256 };
    case 'ed448':
      return { algorithm: 'ed448', bits: 456, spkiSha256 };
    default:
      return { algorithm: 'unknown', bits: 0, spkiSha256 };
  }
}
