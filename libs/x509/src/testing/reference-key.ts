import { createPublicKey, type KeyObject } from 'node:crypto';
import { malformed } from '../der';

/** A public key object the way the library made every one before ADR 0038: OpenSSL's DER import, each time. */
export function derPublicKey(spki: Buffer): KeyObject {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e) {
    throw malformed(`SubjectPublicKeyInfo: unreadable public key (${(e as Error).message})`);
  }
}
