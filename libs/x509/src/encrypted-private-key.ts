import * as asn1js from 'asn1js';
import { createCipheriv, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { children, decodeElement, expectType, oidOf, toDer } from './der';
import { OID } from './oids';
import { fromPem, toPem } from './pem';

/**
 * EncryptedPrivateKeyInfo (RFC 5958 §3) with PBES2 (RFC 8018 §6.2):
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE {
 *     encryptionAlgorithm  AlgorithmIdentifier {{ id-PBES2, PBES2-params }},
 *     encryptedData        OCTET STRING }
 *   PBES2-params ::= SEQUENCE {
 *     keyDerivationFunc  AlgorithmIdentifier {{ id-scrypt | id-PBKDF2, ... }},
 *     encryptionScheme   AlgorithmIdentifier {{ aes256-CBC, iv OCTET STRING }} }
 *   scrypt-params ::= SEQUENCE {                      -- RFC 7914 §7
 *     salt OCTET STRING, costParameter INTEGER, blockSize INTEGER,
 *     parallelizationParameter INTEGER, keyLength INTEGER OPTIONAL }
 *   PBKDF2-params ::= SEQUENCE {                      -- RFC 8018 A.2
 *     salt OCTET STRING, iterationCount INTEGER, keyLength INTEGER OPTIONAL,
 *     prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
 *
 * Signet writes scrypt + AES-256-CBC (ADR 0024); the KDF's parameters are
 * in the key itself, so they can be raised later and old keys still open.
 * OpenSSL reads the same structure (`openssl pkey -in key.pem`) as long as
 * scrypt needs at most 32 MiB, its fixed limit for PKCS#8 — which is why
 * the parameters are OWASP's 16 MiB variant rather than N=2^17, p=1.
 */

/** scrypt's cost (N, a power of two), block size (r) and parallelization (p). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * What Signet encrypts keys at rest with: OWASP's Password Storage Cheat
 * Sheet lists N=2^14, r=8, p=5 as equivalent to its N=2^17, r=8, p=1
 * (the same CPU cost, 16 MiB of memory). ADR 0024 records the choice.
 */
export const KEY_ENCRYPTION: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 14, r: 8, p: 5 });

/**
 * OpenSSL's limit for scrypt inside PKCS#8 (SCRYPT_MAX_MEM): a key whose
 * parameters need more could be written here but read neither by Node's
 * createPrivateKey nor by `openssl pkey`, so such parameters are refused.
 */
export const OPENSSL_SCRYPT_MAX_MEM = 32 * 1024 * 1024;

const SALT_BYTES = 16;
const AES_256_KEY_BYTES = 32;

/** The memory scrypt needs, counted as OpenSSL counts it (V plus B). */
export function scryptMemoryBytes({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + 2) + 128 * r * p;
}

function checkScryptParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const isInt = (v: number) => Number.isSafeInteger(v) && v >= 1;
  if (!isInt(N) || N < 2 || (N & (N - 1)) !== 0) throw new Error(`scrypt N must be a power of two of at least 2, not ${N}`);
  if (!isInt(r) || !isInt(p)) throw new Error('scrypt r and p must be positive integers');
  if (scryptMemoryBytes(params) > OPENSSL_SCRYPT_MAX_MEM) {
    throw new Error(`scrypt N=${N}, r=${r}, p=${p} needs more than OpenSSL's ${OPENSSL_SCRYPT_MAX_MEM / 1024 / 1024} MiB for PKCS#8 keys; the key could not be read back`);
  }
}

/**
 * The private key as an "ENCRYPTED PRIVATE KEY" PEM: PBES2 with scrypt
 * (`params`) and AES-256-CBC, a fresh 16-byte salt and IV each time.
 */
export function encryptPkcs8Scrypt(key: KeyObject, passphrase: string, params: ScryptParams = KEY_ENCRYPTION): string {
  checkScryptParams(params);
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(16);
  // OpenSSL derives from the passphrase's bytes as given; Node hands it UTF-8, so do the same.
  const derived = scryptSync(Buffer.from(passphrase, 'utf8'), salt, AES_256_KEY_BYTES, { ...params, maxmem: OPENSSL_SCRYPT_MAX_MEM + 1024 * 1024 });
  const clear = key.export({ type: 'pkcs8', format: 'der' });
  const cipher = createCipheriv('aes-256-cbc', derived, iv);
  const encrypted = Buffer.concat([cipher.update(clear), cipher.final()]);
  clear.fill(0);
  derived.fill(0);
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.pbes2 }),
          new asn1js.Sequence({
            value: [
              new asn1js.Sequence({
                value: [
                  new asn1js.ObjectIdentifier({ value: OID.scrypt }),
                  new asn1js.Sequence({
                    value: [
                      new asn1js.OctetString({ valueHex: salt }),
                      new asn1js.Integer({ value: params.N }),
                      new asn1js.Integer({ value: params.r }),
                      new asn1js.Integer({ value: params.p }),
                    ],
                  }),
                ],
              }),
              new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.aes256Cbc }), new asn1js.OctetString({ valueHex: iv })] }),
            ],
          }),
        ],
      }),
      new asn1js.OctetString({ valueHex: encrypted }),
    ],
  });
  return toPem(toDer(info), 'ENCRYPTED PRIVATE KEY');
}

/** How an encrypted PKCS#8 key is protected, read from the key itself (no passphrase needed). */
export type KeyEncryptionInfo =
  | ({ kdf: 'scrypt'; cipher: string } & ScryptParams)
  | { kdf: 'pbkdf2'; iterations: number; prf: string; cipher: string }
  /** PBES1 or a KDF this code does not name; OpenSSL may still open it. */
  | { kdf: 'other'; algorithm: string };

const CIPHERS: Record<string, string> = {
  [OID.aes256Cbc]: 'aes-256-cbc',
  [OID.aes192Cbc]: 'aes-192-cbc',
  [OID.aes128Cbc]: 'aes-128-cbc',
  [OID.desEde3Cbc]: 'des-ede3-cbc',
};
const PRFS: Record<string, string> = {
  [OID.hmacWithSHA1]: 'hmacWithSHA1',
  [OID.hmacWithSHA256]: 'hmacWithSHA256',
  [OID.hmacWithSHA384]: 'hmacWithSHA384',
  [OID.hmacWithSHA512]: 'hmacWithSHA512',
};

function smallInt(block: asn1js.AsnType | undefined, what: string): number {
  const int = expectType(block, asn1js.Integer, what);
  const v = int.toBigInt();
  if (v < 1n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what}: out of range`);
  return Number(v);
}

/**
 * Reads the encryption parameters of an "ENCRYPTED PRIVATE KEY" PEM. It
 * decrypts nothing; throws when the PEM is not EncryptedPrivateKeyInfo.
 */
export function keyEncryptionOf(pem: string): KeyEncryptionInfo {
  let der: Buffer;
  try {
    der = fromPem(pem, 'ENCRYPTED PRIVATE KEY');
  } catch {
    throw new Error('not an "ENCRYPTED PRIVATE KEY" PEM block');
  }
  const decoded = decodeElement(der);
  if ('error' in decoded) throw new Error(`encrypted private key: not valid DER (${decoded.error})`);
  try {
    const [algorithm] = children(decoded.block, 'EncryptedPrivateKeyInfo');
    const [algOid, pbes2Params] = children(algorithm, 'encryptionAlgorithm');
    const alg = oidOf(algOid, 'encryptionAlgorithm.algorithm');
    if (alg !== OID.pbes2) return { kdf: 'other', algorithm: alg };
    const [kdf, scheme] = children(pbes2Params, 'PBES2-params');
    const [kdfOid, kdfParams] = children(kdf, 'keyDerivationFunc');
    const cipherOid = oidOf(children(scheme, 'encryptionScheme')[0], 'encryptionScheme.algorithm');
    const cipher = CIPHERS[cipherOid] ?? cipherOid;
    const kdfName = oidOf(kdfOid, 'keyDerivationFunc.algorithm');
    const fields = children(kdfParams, 'KDF params');
    if (kdfName === OID.scrypt) {
      return { kdf: 'scrypt', N: smallInt(fields[1], 'scrypt N'), r: smallInt(fields[2], 'scrypt r'), p: smallInt(fields[3], 'scrypt p'), cipher };
    }
    if (kdfName === OID.pbkdf2) {
      const iterations = smallInt(fields[1], 'PBKDF2 iterations');
      const prfField = fields.slice(2).find((f) => f instanceof asn1js.Sequence);
      const prfOid = prfField ? oidOf(children(prfField, 'PBKDF2 prf')[0], 'PBKDF2 prf') : OID.hmacWithSHA1;
      return { kdf: 'pbkdf2', iterations, prf: PRFS[prfOid] ?? prfOid, cipher };
    }
    return { kdf: 'other', algorithm: kdfName };
  } catch (e) {
    throw new Error(`encrypted private key: ${(e as Error).message}`, { cause: e });
  }
}

/** True when the key is encrypted exactly as `params` (scrypt, AES-256-CBC) say: nothing to re-wrap. */
export function isCurrentKeyEncryption(info: KeyEncryptionInfo, params: ScryptParams = KEY_ENCRYPTION): boolean {
  return info.kdf === 'scrypt' && info.cipher === 'aes-256-cbc' && info.N === params.N && info.r === params.r && info.p === params.p;
}

/** For logs: the parameters, never the salt, IV or key. */
export function describeKeyEncryption(info: KeyEncryptionInfo): string {
  switch (info.kdf) {
    case 'scrypt':
      return `scrypt (N=${info.N}, r=${info.r}, p=${info.p}) with ${info.cipher}`;
    case 'pbkdf2':
      return `PBKDF2 (${info.prf}, ${info.iterations} iterations) with ${info.cipher}`;
    default:
      return `algorithm ${info.algorithm}`;
  }
}
