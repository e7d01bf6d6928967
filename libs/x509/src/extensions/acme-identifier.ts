import * as asn1js from 'asn1js';
import { expectType, malformed, parseDer, toDer } from '../der';

/** SHA-256 output length: the only Authorization value RFC 8737 defines. */
const DIGEST_LENGTH = 32;

/**
 * RFC 8737 3:
 *
 *   id-pe-acmeIdentifier OBJECT IDENTIFIER ::= { id-pe 31 }
 *   Authorization ::= OCTET STRING (SIZE (32))
 *
 * The extnValue holds the DER of that OCTET STRING: the SHA-256 digest of
 * the key authorization.
 */
export function encodeAcmeIdentifier(digest: Buffer): Buffer {
  if (digest.length !== DIGEST_LENGTH) throw malformed(`acmeIdentifier: the digest must be ${DIGEST_LENGTH} octets`);
  return toDer(new asn1js.OctetString({ valueHex: digest }));
}

export function decodeAcmeIdentifier(der: Buffer): Buffer {
  const os = expectType(parseDer(der, 'acmeIdentifier'), asn1js.OctetString, 'acmeIdentifier');
  if (os.valueBlock.isConstructed) throw malformed('acmeIdentifier: constructed OCTET STRING is not DER');
  const value = Buffer.from(os.valueBlock.valueHexView);
  if (value.length !== DIGEST_LENGTH) throw malformed(`acmeIdentifier: ${value.length} octets, expected ${DIGEST_LENGTH} (SHA-256)`);
  return value;
}
