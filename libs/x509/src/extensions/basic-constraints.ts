import * as asn1js from 'asn1js';
import { malformed, parseDer, sequenceOf, toDer } from '../der';
import { readChildren, readElement } from '../der-reader';

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
  // The forms Signet writes read directly: {}, {cA TRUE}, {cA TRUE, pathLen 0..127}; any other through asn1js.
  const e = readElement(der, 0, der.length);
  const items = e && e.tag === 0x30 && e.end === der.length ? readChildren(der, e, 2) : undefined;
  if (items) {
    const [b, n] = items;
    if (b === undefined) return { ca: false };
    if (b.tag === 0x01 && b.end - b.body === 1 && der[b.body] === 0xff) {
      if (n === undefined) return { ca: true };
      if (n.tag === 0x02 && n.end - n.body === 1 && der[n.body] < 0x80) return { ca: true, pathLength: der[n.body] };
    }
  }
  return decodeBasicConstraintsGeneral(der);
}

/** decodeBasicConstraints through asn1js (exported for the differential test, not from the library). */
export function decodeBasicConstraintsGeneral(der: Buffer): BasicConstraints {
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
