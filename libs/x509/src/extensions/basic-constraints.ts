import * as asn1js from 'asn1js';
import { malformed, parseDer, sequenceOf, toDer } from '../der';

export interface BasicConstraints {
  ca: boolean;
  /** Only meaningful with ca TRUE (RFC 5280 4.2.1.9). */
  pathLength?: number;
}

/**
 * RFC 5280 4.2.1.9:
 *
 *   BasicConstraints ::= SEQUENCE {
 *        cA                      BOOLEAN DEFAULT FALSE,
 *        pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
 *
 * DER leaves out a component equal to its DEFAULT (X.690 11.5), so an end
 * entity's value is the empty SEQUENCE 30 00.
 */
export function encodeBasicConstraints(bc: BasicConstraints): Buffer {
  const value: asn1js.AsnType[] = [];
  if (bc.ca) value.push(new asn1js.Boolean({ value: true }));
  if (bc.pathLength !== undefined) {
    if (!bc.ca) throw malformed('basicConstraints: pathLength requires cA TRUE');
    if (!Number.isInteger(bc.pathLength) || bc.pathLength < 0 || bc.pathLength > 0x7fffffff) {
      throw malformed('basicConstraints: pathLength must be an integer 0..2^31-1');
    }
    value.push(new asn1js.Integer({ value: bc.pathLength }));
  }
  return toDer(new asn1js.Sequence({ value }));
}

export function decodeBasicConstraints(der: Buffer): BasicConstraints {
  const items = sequenceOf(parseDer(der, 'basicConstraints'), 'basicConstraints');
  const out: BasicConstraints = { ca: false };
  let i = 0;
  if (items[i] instanceof asn1js.Boolean) {
    out.ca = (items[i] as asn1js.Boolean).valueBlock.value;
    i++;
  }
  if (items[i] instanceof asn1js.Integer) {
    const int = items[i] as asn1js.Integer;
    // valueDec is only exact up to 2^53; a path length beyond 2^31 is nonsense anyway.
    if (int.valueBlock.valueHexView.length > 4 || int.valueBlock.valueDec < 0) {
      throw malformed('basicConstraints: pathLenConstraint out of range');
    }
    out.pathLength = int.valueBlock.valueDec;
    i++;
  }
  if (i !== items.length) throw malformed('basicConstraints: unexpected component');
  return out;
}
