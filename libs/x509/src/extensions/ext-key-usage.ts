import * as asn1js from 'asn1js';
import { isDottedOid } from '../oids';
import { malformed, oidOf, parseDer, sequenceOf, toDer } from '../der';
import { oidText, readChildren, readElement } from '../der-reader';

/**
 * RFC 5280 4.2.1.12:
 *
 *   ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
 *   KeyPurposeId ::= OBJECT IDENTIFIER
 */
export function encodeExtKeyUsage(oids: string[]): Buffer {
  if (oids.length === 0) throw malformed('extKeyUsage: at least one key purpose is required');
  const seen = new Set<string>();
  for (const oid of oids) {
    if (!isDottedOid(oid)) throw malformed(`extKeyUsage: "${oid}" is not a dotted OID`);
    // A repeated purpose is harmless to verifiers but shows a caller bug.
    if (seen.has(oid)) throw malformed(`extKeyUsage: ${oid} listed twice`);
    seen.add(oid);
  }
  return toDer(new asn1js.Sequence({ value: oids.map((v) => new asn1js.ObjectIdentifier({ value: v })) }));
}

export function decodeExtKeyUsage(der: Buffer): string[] {
  // Strict DER read directly; anything else (and every error) through asn1js.
  const e = readElement(der, 0, der.length);
  const items = e && e.tag === 0x30 && e.end === der.length ? readChildren(der, e) : undefined;
  if (items && items.length > 0) {
    const oids = items.map((i) => oidText(der, i));
    if (oids.every((o) => o !== undefined)) return oids as string[];
  }
  return decodeExtKeyUsageGeneral(der);
}

/** decodeExtKeyUsage through asn1js (exported for the differential test, not from the library). */
export function decodeExtKeyUsageGeneral(der: Buffer): string[] {
  const items = sequenceOf(parseDer(der, 'extKeyUsage'), 'extKeyUsage');
  if (items.length === 0) throw malformed('extKeyUsage: empty SEQUENCE');
  return items.map((b) => oidOf(b, 'extKeyUsage KeyPurposeId'));
}
