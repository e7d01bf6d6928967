import * as asn1js from 'asn1js';
import { ErrorCode, SignetError } from '@signet/contracts';
import { isContextTag, tlv } from '../der';
import { type ScepFailInfo } from './constants';

/**
 * A SCEP message that cannot be acted on. `failInfo` is what a CertRep
 * FAILURE says about it (RFC 8894 3.2.1.4); the code is the one every
 * Signet edge uses for the same kind of problem.
 */
export function scepProblem(code: ErrorCode, message: string, failInfo: ScepFailInfo): SignetError {
  return new SignetError(code, message, { failInfo });
}

/** The failInfo a SignetError from this module carries, if any. */
export function failInfoOf(e: unknown): ScepFailInfo | undefined {
  if (!(e instanceof SignetError)) return undefined;
  const f = (e.details as { failInfo?: unknown } | undefined)?.failInfo;
  return typeof f === 'string' ? (f as ScepFailInfo) : undefined;
}

export const rawOf = (b: asn1js.AsnType): Buffer => Buffer.from((b as asn1js.BaseBlock).valueBeforeDecodeView);

/** OCTET STRING contents, primitive or BER-constructed (CMS is BER: some clients split long contents into pieces). */
export function octetsOf(block: asn1js.AsnType | undefined, what: string, depth = 0): Buffer {
  const b = block as asn1js.BaseBlock | undefined;
  if (!b || depth > 4) throw new SignetError(ErrorCode.MalformedRequest, `${what}: expected OCTET STRING`);
  if (b.idBlock.isConstructed) {
    const parts = (b as unknown as asn1js.Constructed).valueBlock.value;
    return Buffer.concat(parts.map((p) => octetsOf(p, what, depth + 1)));
  }
  // Either a universal OCTET STRING or an IMPLICIT tag over one (encryptedContent [0]).
  const universalOctets = b.idBlock.tagClass === 1 && b.idBlock.tagNumber === 4;
  if (!universalOctets && b.idBlock.tagClass !== 3) throw new SignetError(ErrorCode.MalformedRequest, `${what}: expected OCTET STRING`);
  const vb = b.valueBlock as unknown as { valueHexView?: Uint8Array };
  return Buffer.from(vb.valueHexView ?? new Uint8Array(0));
}

/** The single value inside an [n] EXPLICIT wrapper. */
export function explicitInner(block: asn1js.AsnType | undefined, tag: number, what: string): asn1js.AsnType {
  if (!block || !isContextTag(block, tag) || !(block as asn1js.BaseBlock).idBlock.isConstructed) {
    throw new SignetError(ErrorCode.MalformedRequest, `${what}: expected [${tag}] EXPLICIT`);
  }
  const inner = (block as asn1js.Constructed).valueBlock.value;
  if (inner.length !== 1) throw new SignetError(ErrorCode.MalformedRequest, `${what}: [${tag}] must hold one value`);
  return inner[0];
}

// DER builders for the structures this module writes.
export const oidDer = (oid: string): Buffer => Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
export const intDer = (n: number): Buffer => Buffer.from(new asn1js.Integer({ value: n }).toBER(false));
export const octetsDer = (b: Buffer): Buffer => tlv(0x04, b);
export const setDer = (parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
export const printableDer = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'latin1'));
export const nullDer = Buffer.from([0x05, 0x00]);
/** SET OF in DER order (X.690 11.6): the elements sorted by their encodings. */
export const setOfDer = (parts: Buffer[]): Buffer => setDer([...parts].sort(Buffer.compare));
