import * as asn1js from 'asn1js';
import { ErrorCode, escapeControlCharacters, SignetError } from '@signet/contracts';

/** asn1js tag classes (X.690 8.1.2.2), named so call sites read as ASN.1. */
export const TagClass = { universal: 1, application: 2, context: 3, private: 4 } as const;

/**
 * Limits for parsing untrusted DER: a CSR or an extension value never needs
 * deep nesting or thousands of nodes, and tight limits keep a hostile input
 * from costing more than a normal one.
 */
const PARSE_LIMITS = { maxDepth: 32, maxNodes: 4096 } as const;

function malformed(message: string, details?: Record<string, unknown>): SignetError {
  return new SignetError(ErrorCode.MalformedRequest, message, details);
}

/**
 * Decode exactly one DER element. `what` names the structure in the error
 * message. Trailing bytes are refused: two encodings that differ only after
 * the element must not both be accepted as "the same" value.
 */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const view = new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
  if (view.byteLength === 0) throw malformed(`${what}: empty input`);
  const res = decodeElement(view);
  if ('error' in res) throw malformed(`${what}: not valid DER (${res.error})`);
  if (res.trailing !== 0) throw malformed(`${what}: ${res.trailing} trailing byte(s) after the DER element`);
  return res.block;
}

/**
 * The first element of `view` within the parse limits and how many bytes
 * follow it, or why it does not decode. Callers phrase their own errors
 * (parseDer's MALFORMED_REQUEST, an administrator's BAD_MESSAGE).
 */
export function decodeElement(view: Uint8Array): { block: asn1js.AsnType; trailing: number } | { error: string } {
  let res: ReturnType<typeof asn1js.fromBER>;
  try {
    res = asn1js.fromBER(view, PARSE_LIMITS);
  } catch (e) {
    // asn1js reports most problems in result.error but throws on some (a GeneralizedTime or UTCTime whose text is no time).
    return { error: describeThrown(e) };
  }
  if (res.offset === -1 || res.result.error) return { error: res.result.error || 'undecodable' };
  return { block: res.result, trailing: view.byteLength - res.offset };
}

/** A parser's own exception as a short, printable reason: never a stack, never raw control characters. */
export function describeThrown(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return escapeControlCharacters(text.length > 200 ? `${text.slice(0, 200)}…` : text) || 'undecodable';
}

/** DER of an asn1js block as a Node Buffer. */
export function toDer(block: { toBER(sizeOnly?: boolean): ArrayBuffer }): Buffer {
  return Buffer.from(block.toBER(false));
}

/** The block's value bytes (for primitive and hex blocks) as a Buffer copy. */
export function valueBytes(block: asn1js.AsnType): Buffer {
  const vb = (block as asn1js.BaseBlock).valueBlock as unknown as { valueHexView?: Uint8Array };
  return Buffer.from(vb.valueHexView ?? new Uint8Array(0));
}

export function isContextTag(block: asn1js.AsnType, tagNumber: number): boolean {
  const id = (block as asn1js.BaseBlock).idBlock;
  return id.tagClass === TagClass.context && id.tagNumber === tagNumber;
}

/** Assert a block's type; `what` names the field for the error message. */
export function expectType<T>(block: asn1js.AsnType | undefined, type: new (...args: never[]) => T, what: string): T {
  if (!(block instanceof type)) throw malformed(`${what}: expected ${type.name}`);
  return block;
}

/** Children of a SEQUENCE or SET, type-checked. */
export function children(block: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(block instanceof asn1js.Sequence) && !(block instanceof asn1js.Set)) {
    throw malformed(`${what}: expected SEQUENCE`);
  }
  return block.valueBlock.value;
}

export function sequenceOf(block: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(block instanceof asn1js.Sequence)) throw malformed(`${what}: expected SEQUENCE`);
  return block.valueBlock.value;
}

export function oidOf(block: asn1js.AsnType | undefined, what: string): string {
  return expectType(block, asn1js.ObjectIdentifier, what).valueBlock.toString();
}

/** Context-specific primitive [n] IMPLICIT carrying raw bytes. */
export function implicitPrimitive(tagNumber: number, bytes: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: TagClass.context, tagNumber }, valueHex: bytes });
}

/** Context-specific constructed [n] (EXPLICIT wrapper or IMPLICIT SEQUENCE). */
export function contextConstructed(tagNumber: number, value: asn1js.AsnType[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: TagClass.context, tagNumber }, value });
}

export { malformed };

/** Octets of a DER length for `n` content octets (X.690 8.1.3: short form below 128, else the minimal long form). */
function lengthOctets(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

function writeHeader(out: Buffer, tag: number, n: number, lenOctets: number): number {
  out[0] = tag;
  if (lenOctets === 1) {
    out[1] = n;
    return 2;
  }
  out[1] = 0x80 | (lenOctets - 1);
  for (let i = lenOctets - 1, v = n; i >= 1; i--, v = Math.floor(v / 256)) out[1 + i] = v & 0xff;
  return 1 + lenOctets;
}

/**
 * One DER TLV from a tag byte and content. Used to assemble structures from
 * parts that must stay byte-exact (the issuer name copied from the CA
 * certificate, the signed TBS), which asn1js would re-encode. One
 * allocation: the issuance path builds every certificate from these.
 */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const l = lengthOctets(n);
  const out = Buffer.allocUnsafe(1 + l + n);
  out.set(content, writeHeader(out, tag, n, l));
  return out;
}

/** A constructed TLV whose content is `parts` in order, copied once. */
export function tlvOf(tag: number, parts: readonly Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  const l = lengthOctets(n);
  const out = Buffer.allocUnsafe(1 + l + n);
  let at = writeHeader(out, tag, n, l);
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SEQUENCE of already-encoded DER elements. */
export function derSequence(parts: readonly Uint8Array[]): Buffer {
  return tlvOf(0x30, parts);
}

const oidCache = new Map<string, Buffer>();

/** Why `oid` is not a dotted OBJECT IDENTIFIER DER can carry (X.660: the first arc 0–2, the second below 40 under 0 and 1), or undefined. */
export function oidProblem(oid: string): string | undefined {
  if (oid.length > 256 || !OID_TEXT.test(oid)) return 'not dotted decimal arcs';
  const [first, second] = oid.split('.');
  if (first !== '2' && (second!.length > 2 || Number(second) >= 40)) return 'the second arc must be below 40';
  return undefined;
}
/** Enough for every OID a CA writes (names, extensions, algorithms); further ones are encoded each time. */
const OID_CACHE_LIMIT = 1024;
const OID_TEXT = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;

/**
 * DER of an OBJECT IDENTIFIER from its dotted form (X.690 8.19: the first
 * two arcs as 40·a + b, every subidentifier base 128, minimal). Refuses
 * what is not an OID, where asn1js would encode something else silently.
 * The result is shared: callers copy it into a larger buffer, never change it.
 */
export function encodeOid(oid: string): Buffer {
  const hit = oidCache.get(oid);
  if (hit) return hit;
  const problem = oidProblem(oid);
  if (problem) throw new Error(`not an object identifier: ${JSON.stringify(oid.slice(0, 64))} (${problem})`);
  const arcs = oid.split('.').map(BigInt);
  const bytes: number[] = [];
  const sub = (v: bigint) => {
    const chunk: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    bytes.push(...chunk);
  };
  sub(arcs[0] * 40n + arcs[1]);
  for (let i = 2; i < arcs.length; i++) sub(arcs[i]);
  const der = tlv(0x06, Buffer.from(bytes));
  if (oidCache.size < OID_CACHE_LIMIT) oidCache.set(oid, der);
  return der;
}
