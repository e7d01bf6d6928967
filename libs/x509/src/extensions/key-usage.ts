import * as asn1js from 'asn1js';
import { expectType, malformed, parseDer, toDer } from '../der';
import { readElement } from '../der-reader';

/**
 * Bit positions of KeyUsage, RFC 5280 4.2.1.3:
 *
 *   KeyUsage ::= BIT STRING {
 *        digitalSignature        (0),
 *        nonRepudiation          (1), -- recent editions of X.509 have
 *                                     -- renamed this bit to contentCommitment
 *        keyEncipherment         (2),
 *        dataEncipherment        (3),
 *        keyAgreement            (4),
 *        keyCertSign             (5),
 *        cRLSign                 (6),
 *        encipherOnly            (7),
 *        decipherOnly            (8) }
 */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

/**
 * DER of a KeyUsage BIT STRING. A named bit list is encoded without trailing
 * zero bits (X.690 11.2.2), so the length and the unused-bits count depend on
 * the highest bit set: {digitalSignature} is 03 02 07 80, and only
 * decipherOnly needs a second content byte.
 */
export function encodeKeyUsage(usages: KeyUsageName[]): Buffer {
  if (usages.length === 0) throw malformed('keyUsage: at least one usage is required (RFC 5280 4.2.1.3)');
  let highest = -1;
  const bytes = new Uint8Array(2);
  for (const u of usages) {
    const bit = KEY_USAGES.indexOf(u);
    if (bit < 0) throw malformed(`keyUsage: unknown usage "${String(u)}"`);
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
    highest = Math.max(highest, bit);
  }
  const length = (highest >> 3) + 1;
  const unusedBits = 7 - (highest & 7);
  return toDer(new asn1js.BitString({ valueHex: bytes.slice(0, length), unusedBits }));
}

/** Usages named in a KeyUsage BIT STRING, in bit order; unknown bits are refused. */
export function decodeKeyUsage(der: Buffer): KeyUsageName[] {
  // Strict DER read directly (lint decodes every certificate's); anything else through asn1js, which words the errors.
  const e = readElement(der, 0, der.length);
  if (e && e.tag === 0x03 && e.end === der.length && e.end > e.body && der[e.body] <= 7) return usagesOf(der.subarray(e.body + 1, e.end), der[e.body]);
  return decodeKeyUsageGeneral(der);
}

/** decodeKeyUsage through asn1js (exported for the differential test, not from the library). */
export function decodeKeyUsageGeneral(der: Buffer): KeyUsageName[] {
  const bs = expectType(parseDer(der, 'keyUsage'), asn1js.BitString, 'keyUsage');
  if (bs.valueBlock.isConstructed) throw malformed('keyUsage: constructed BIT STRING is not DER');
  return usagesOf(bs.valueBlock.valueHexView, bs.valueBlock.unusedBits);
}

function usagesOf(bytes: Uint8Array, unused: number): KeyUsageName[] {
  const total = bytes.length * 8 - unused;
  const out: KeyUsageName[] = [];
  for (let bit = 0; bit < total; bit++) {
    if ((bytes[bit >> 3] & (0x80 >> (bit & 7))) === 0) continue;
    if (bit >= KEY_USAGES.length) throw malformed(`keyUsage: undefined bit ${bit} is set`);
    out.push(KEY_USAGES[bit]);
  }
  return out;
}
