import * as asn1js from 'asn1js';
import { children, derSequence, encodeOid, expectType, malformed, oidOf, tlv } from './der';

/** One extension with its extnValue contents (the bytes inside the OCTET STRING). */
export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/**
 * RFC 5280 4.1:
 *
 *   Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
 *
 *   Extension  ::=  SEQUENCE  {
 *        extnID      OBJECT IDENTIFIER,
 *        critical    BOOLEAN DEFAULT FALSE,
 *        extnValue   OCTET STRING
 *                    -- contains the DER encoding of an ASN.1 value
 *                    -- corresponding to the extension type identified
 *                    -- by extnID
 *        }
 *
 * Duplicate OIDs are refused: "A certificate MUST NOT include more than one
 * instance of a particular extension", and a CSR asking for two is either
 * broken or trying to confuse the policy.
 */
export function parseExtensions(block: asn1js.AsnType, what: string): RawExtension[] {
  const out: RawExtension[] = [];
  const seen = new Set<string>();
  for (const ext of children(block, what)) {
    const parts = children(ext, `${what} Extension`);
    const oid = oidOf(parts[0], `${what} extnID`);
    let i = 1;
    let critical = false;
    if (parts[i] instanceof asn1js.Boolean) critical = (parts[i++] as asn1js.Boolean).valueBlock.value;
    const value = expectType(parts[i++], asn1js.OctetString, `${what} ${oid} extnValue`);
    if (i !== parts.length) throw malformed(`${what} ${oid}: unexpected component`);
    if (value.valueBlock.isConstructed) throw malformed(`${what} ${oid}: constructed OCTET STRING is not DER`);
    if (seen.has(oid)) throw malformed(`${what}: extension ${oid} appears twice`, { oid });
    seen.add(oid);
    out.push({ oid, critical, value: Buffer.from(value.valueBlock.valueHexView) });
  }
  return out;
}

/** DER of one Extension; critical FALSE is left out as DER requires. */
export function encodeExtension(ext: RawExtension): asn1js.Sequence {
  const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: ext.oid })];
  if (ext.critical) value.push(new asn1js.Boolean({ value: true }));
  value.push(new asn1js.OctetString({ valueHex: ext.value }));
  return new asn1js.Sequence({ value });
}

/** BOOLEAN TRUE in DER (X.690 11.1: all bits set). */
const CRITICAL = Buffer.from([0x01, 0x01, 0xff]);

/**
 * DER of Extensions, written directly (the same bytes as a SEQUENCE of
 * encodeExtension, which the differential test holds equal).
 */
export function encodeExtensions(exts: readonly RawExtension[]): Buffer {
  return derSequence(
    exts.map((e) => (e.critical ? derSequence([encodeOid(e.oid), CRITICAL, tlv(0x04, e.value)]) : derSequence([encodeOid(e.oid), tlv(0x04, e.value)]))),
  );
}
