import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { OID } from '../oids';
import { expectType, parseDer, sequenceOf } from '../der';
import { splitCertificate } from '../inspect';

/** Hash algorithms a CertID may use that Signet answers for (RFC 6960 4.1.1; RFC 5019 requires SHA-1). */
export const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** issuerNameHash and issuerKeyHash of one CA under one hash algorithm. */
export interface IssuerHashes {
  nameHash: Buffer;
  keyHash: Buffer;
}

/** The subjectPublicKey BIT STRING contents, without tag, length and unused-bits octet (RFC 6960 4.1.1). */
export function publicKeyBits(spkiDer: Buffer): Buffer {
  const [, key] = sequenceOf(parseDer(spkiDer, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');
  return Buffer.from(expectType(key, asn1js.BitString, 'subjectPublicKey').valueBlock.valueHexView);
}

/**
 * The issuer hashes a CertID must carry to be about certificates of this
 * CA, for every supported hash, keyed by hash OID:
 *
 *   CertID ::= SEQUENCE {
 *       hashAlgorithm           AlgorithmIdentifier,
 *       issuerNameHash          OCTET STRING, -- Hash of issuer's DN
 *       issuerKeyHash           OCTET STRING, -- Hash of issuer's public key
 *       serialNumber            CertificateSerialNumber }
 *
 * The name hash is over the DER of the CA certificate's subject exactly as
 * written there (the issuer field of its certificates is a byte copy).
 */
export function issuerHashes(caCertificateDer: Buffer): Map<string, IssuerHashes> {
  const ca = splitCertificate(caCertificateDer);
  const bits = publicKeyBits(ca.spki);
  const out = new Map<string, IssuerHashes>();
  for (const [oid, hash] of Object.entries(CERT_ID_HASHES)) {
    out.set(oid, { nameHash: createHash(hash).update(ca.subjectDer).digest(), keyHash: createHash(hash).update(bits).digest() });
  }
  return out;
}

/** KeyHash of a responder (ResponderID byKey): SHA-1 of its public key bits (RFC 6960 4.2.1). */
export function responderKeyHash(spkiDer: Buffer): Buffer {
  // SHA-1 is what the RFC prescribes for the identifier; it is not a security function here.
  return createHash('sha1').update(publicKeyBits(spkiDer)).digest();
}
