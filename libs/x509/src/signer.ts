import { createPublicKey, sign as nodeSign, KeyObject } from 'node:crypto';
import { OID } from './oids';
import { keyAlgorithmOf } from './keys';

/**
 * Signs to-be-signed bytes with a CA key. The private key lives only in the
 * closure of createSigner: no property, no toJSON, nothing to log by mistake.
 */
export interface Signer {
  /** Signature algorithm this signer produces (goes into AlgorithmIdentifier). */
  readonly signatureAlgorithmOid: string;
  /** DER SubjectPublicKeyInfo of the signing key. */
  readonly spki: Buffer;
  /** Signature over `data` in X.509 form (ECDSA: DER Ecdsa-Sig-Value). */
  sign(data: Buffer): Promise<Buffer>;
}

/**
 * Hash matched to key strength: P-256 with SHA-256 and P-384 with SHA-384
 * (RFC 5480 4 / CNSA), RSA of any CA size with SHA-256 and PKCS#1 v1.5 (the
 * one RSA scheme every relying party accepts).
 */
export function createSigner(privateKey: KeyObject): Signer {
  if (privateKey.type !== 'private') throw new Error('createSigner needs a private key');
  const alg = keyAlgorithmOf(privateKey);
  const [oid, hash] =
    alg === 'ecdsa-p256'
      ? [OID.ecdsaWithSHA256, 'sha256']
      : alg === 'ecdsa-p384'
        ? [OID.ecdsaWithSHA384, 'sha384']
        : [OID.sha256WithRSAEncryption, 'sha256'];
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const keyInput = alg.startsWith('ecdsa') ? { key: privateKey, dsaEncoding: 'der' as const } : { key: privateKey };
  const signer: Signer = {
    signatureAlgorithmOid: oid,
    get spki() {
      // A copy: callers must not be able to change what the signer reports.
      return Buffer.from(spki);
    },
    sign: (data: Buffer) =>
      new Promise<Buffer>((resolve, reject) => {
        // The callback form runs on libuv's thread pool instead of blocking the event loop.
        nodeSign(hash, data, keyInput, (err, sig) => (err ? reject(err) : resolve(sig)));
      }),
  };
  return Object.freeze(signer);
}
