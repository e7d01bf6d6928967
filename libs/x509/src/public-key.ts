import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import type { PublicKeyInfo } from '@signet/contracts';
import { malformed } from './der';

/** Node's curve names to the NIST names Signet uses everywhere. */
const CURVES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};

/** A KeyObject from SubjectPublicKeyInfo DER; MalformedRequest when Node cannot read it. */
export function publicKeyFromSpki(spki: Buffer): KeyObject {
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
