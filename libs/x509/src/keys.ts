import { KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { encryptPkcs8Scrypt, KEY_ENCRYPTION, type ScryptParams } from './encrypted-private-key';

/**
 * Key algorithms a Signet CA key may use. Deliberately short: each one is
 * understood by every relying party Signet targets (browsers, Windows,
 * OpenSSL, GnuTLS), and each maps to exactly one signature algorithm.
 */
export const CA_KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type CaKeyAlgorithm = (typeof CA_KEY_ALGORITHMS)[number];

/** Shortest passphrase accepted for a key at rest. */
export const MIN_PASSPHRASE_LENGTH = 12;

const ENCRYPTED_LABEL = 'ENCRYPTED PRIVATE KEY';

export function generateKeyPair(alg: CaKeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return generateKeyPairSync('rsa', { modulusLength: Number(alg.slice(4)), publicExponent: 0x10001 });
    default:
      throw new Error(`unsupported CA key algorithm "${String(alg)}"`);
  }
}

/**
 * Which CaKeyAlgorithm a key (private or public) is; throws for anything
 * else (other curves, odd RSA sizes, EdDSA), so a wrong key cannot become a
 * CA key by accident.
 */
export function keyAlgorithmOf(key: KeyObject): CaKeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
    if (details.namedCurve === 'secp384r1') return 'ecdsa-p384';
    throw new Error(`EC curve ${details.namedCurve ?? 'unknown'} is not supported for CA keys`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const alg = `rsa-${details.modulusLength}`;
    if ((CA_KEY_ALGORITHMS as readonly string[]).includes(alg)) return alg as CaKeyAlgorithm;
    throw new Error(`RSA-${details.modulusLength} is not supported for CA keys`);
  }
  throw new Error(`key type ${key.asymmetricKeyType ?? key.type} is not supported for CA keys`);
}

/**
 * PKCS#8 PEM ("ENCRYPTED PRIVATE KEY"): PBES2 with scrypt (`params`,
 * Signet's KEY_ENCRYPTION unless a test asks for less) and AES-256-CBC,
 * a structure OpenSSL reads, so `openssl pkey` can open the key in an
 * emergency. ADR 0024 says why scrypt and these parameters.
 */
export function encryptPrivateKey(key: KeyObject, passphrase: string, params: ScryptParams = KEY_ENCRYPTION): string {
  if (key.type !== 'private') throw new Error('encryptPrivateKey needs a private key');
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new Error(`key passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  return encryptPkcs8Scrypt(key, passphrase, params);
}

/**
 * The private key of an encrypted PKCS#8 PEM, whatever PBES2 parameters it
 * was written with (they are in the key; OpenSSL does the decryption), so
 * keys written before ADR 0024 still open. Unencrypted keys are refused:
 * keys are always encrypted at rest, and accepting a plain one would hide a
 * broken deployment. Errors name the problem but never echo the input.
 */
export function decryptPrivateKey(pem: string, passphrase: string): KeyObject {
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
  if (labels.length !== 1) throw new Error(`expected exactly one PEM private key block, found ${labels.length}`);
  if (labels[0] !== ENCRYPTED_LABEL) {
    if (/PRIVATE KEY$/.test(labels[0])) {
      throw new Error(`refusing an unencrypted private key ("${labels[0]}"): CA keys must be stored as "${ENCRYPTED_LABEL}"`);
    }
    throw new Error(`expected an "${ENCRYPTED_LABEL}" PEM block, found "${labels[0]}"`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch {
    // OpenSSL's message says little more; never pass on the input.
    throw new Error('cannot decrypt the private key: wrong passphrase or corrupted key file');
  }
  return key;
}
