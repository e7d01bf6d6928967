import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  expectType,
  tlv,
  isContextTag,
  malformed,
  parseDer,
  sequenceOf,
  valueBytes,
} from '../der';
import { readChildren, readElement, readSpki } from '../der-reader';

/**
 * Key identifier of a public key by RFC 5280 4.2.1.2 method (1): the SHA-1
 * of the subjectPublicKey BIT STRING contents (without tag, length and the
 * unused-bits octet).
 *
 *   SubjectPublicKeyInfo  ::=  SEQUENCE  {
 *        algorithm            AlgorithmIdentifier,
 *        subjectPublicKey     BIT STRING  }
 */
export function subjectKeyIdentifier(spkiDer: Buffer): Buffer {
  // Strict DER is read directly (every certificate's SKI and AKI come through here); anything else through asn1js.
  const direct = readSpki(spkiDer);
  // SHA-1 here is an identifier, not a security function; the RFC names it.
  if (direct) return createHash('sha1').update(direct.key).digest();
  const [, key] = sequenceOf(parseDer(spkiDer, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');
  const bits = expectType(key, asn1js.BitString, 'subjectPublicKey');
  return createHash('sha1').update(bits.valueBlock.valueHexView).digest();
}

function checkKeyId(keyId: Buffer, what: string): void {
  if (keyId.length === 0 || keyId.length > 64) throw malformed(`${what}: key identifier must be 1..64 octets`);
}

/**
 * RFC 5280 4.2.1.2:
 *
 *   SubjectKeyIdentifier ::= KeyIdentifier
 *   KeyIdentifier ::= OCTET STRING
 */
export function encodeSubjectKeyIdentifier(keyId: Buffer): Buffer {
  checkKeyId(keyId, 'subjectKeyIdentifier');
  return tlv(0x04, keyId);
}

export function decodeSubjectKeyIdentifier(der: Buffer): Buffer {
  const os = expectType(parseDer(der, 'subjectKeyIdentifier'), asn1js.OctetString, 'subjectKeyIdentifier');
  if (os.valueBlock.isConstructed) throw malformed('subjectKeyIdentifier: constructed OCTET STRING is not DER');
  return Buffer.from(os.valueBlock.valueHexView);
}

/**
 * RFC 5280 4.2.1.1. Signet only writes the keyIdentifier form: issuer name
 * plus serial would tie the AKI to one CA certificate and break cross-signing
 * and re-issuance of the CA with the same key.
 *
 *   AuthorityKeyIdentifier ::= SEQUENCE {
 *      keyIdentifier             [0] KeyIdentifier           OPTIONAL,
 *      authorityCertIssuer       [1] GeneralNames            OPTIONAL,
 *      authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
 */
export function encodeAuthorityKeyIdentifier(keyId: Buffer): Buffer {
  checkKeyId(keyId, 'authorityKeyIdentifier');
  // SEQUENCE { [0] IMPLICIT OCTET STRING }
  return tlv(0x30, tlv(0x80, keyId));
}

/** The keyIdentifier of an AuthorityKeyIdentifier; undefined when it only has issuer+serial. */
export function decodeAuthorityKeyIdentifier(der: Buffer): Buffer | undefined {
  // The form Signet writes, SEQUENCE { [0] keyIdentifier }, read directly; any other through asn1js.
  const e = readElement(der, 0, der.length);
  const items = e && e.tag === 0x30 && e.end === der.length ? readChildren(der, e, 1) : undefined;
  if (items && items.length === 1 && items[0].tag === 0x80) return Buffer.from(der.subarray(items[0].body, items[0].end));
  return decodeAuthorityKeyIdentifierGeneral(der);
}

/** decodeAuthorityKeyIdentifier through asn1js (exported for the differential test, not from the library). */
export function decodeAuthorityKeyIdentifierGeneral(der: Buffer): Buffer | undefined {
  const items = sequenceOf(parseDer(der, 'authorityKeyIdentifier'), 'authorityKeyIdentifier');
  const first = items[0];
  if (first === undefined || !isContextTag(first, 0)) return undefined;
  if ((first as asn1js.BaseBlock).idBlock.isConstructed) throw malformed('authorityKeyIdentifier: keyIdentifier must be primitive');
  return valueBytes(first);
}
