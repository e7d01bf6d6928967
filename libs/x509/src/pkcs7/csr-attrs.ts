import * as asn1js from 'asn1js';
import { derSequence, toDer } from '../der';

/**
 * EST's CSR attributes answer (RFC 7030 §4.5.2), OIDs only:
 *
 *   CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID
 *   AttrOrOID ::= CHOICE { oid OBJECT IDENTIFIER, attribute Attribute }
 *
 * Each OID asks the client to put that attribute (or use that algorithm)
 * in its request; e.g. challengePassword asks for the TLS channel binding
 * of RFC 7030 §3.5.
 */
export function encodeCsrAttrs(oids: string[]): Buffer {
  return derSequence(oids.map((value) => toDer(new asn1js.ObjectIdentifier({ value }))));
}
