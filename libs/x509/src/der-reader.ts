/**
 * A strict DER reader for the few fixed shapes on the issuance path (a
 * well-formed certificate request). It reads single-octet tags and definite,
 * minimally encoded lengths only (X.690 10.1), and answers undefined for
 * anything else: callers then fall back to the general asn1js parser, which
 * produces the verdict and the error message. It never throws on input.
 */

/** One element: its tag octet and where its TLV and its contents lie in the buffer. */
export interface Element {
  tag: number;
  /** First octet of the TLV. */
  start: number;
  /** First octet of the contents. */
  body: number;
  /** One past the last octet of the contents (and of the TLV). */
  end: number;
}

/** The element at `at` that must end by `limit`, or undefined when it is not strict DER. */
export function readElement(buf: Uint8Array, at: number, limit: number): Element | undefined {
  if (at + 2 > limit) return undefined;
  const tag = buf[at];
  // High tag numbers (low five bits all set) do not occur in the shapes read here.
  if ((tag & 0x1f) === 0x1f) return undefined;
  let len = buf[at + 1];
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // 0x80 is BER's indefinite length; more than 3 length octets is more than any request holds.
    if (n === 0 || n > 3 || body + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i];
    body += n;
    // Minimal: the long form only from 128 on, and without a leading zero octet.
    if (len < 0x80 || buf[at + 2] === 0) return undefined;
  }
  const end = body + len;
  if (end > limit) return undefined;
  return { tag, start: at, body, end };
}

/** The elements that exactly fill `parent`'s contents, or undefined. */
export function readChildren(buf: Uint8Array, parent: Element, max = 64): Element[] | undefined {
  const out: Element[] = [];
  for (let at = parent.body; at < parent.end; ) {
    if (out.length === max) return undefined;
    const e = readElement(buf, at, parent.end);
    if (!e) return undefined;
    out.push(e);
    at = e.end;
  }
  return out;
}

/** Whether the element is constructed (X.690 8.1.2.5). */
export function isConstructed(e: Element): boolean {
  return (e.tag & 0x20) !== 0;
}

/**
 * Dotted text of an OBJECT IDENTIFIER's contents, as asn1js writes it, or
 * undefined when the encoding is not minimal or an arc is beyond 2^32.
 */
export function oidText(buf: Uint8Array, e: Element): string | undefined {
  if (e.tag !== 0x06 || e.end === e.body) return undefined;
  const arcs: number[] = [];
  let v = 0;
  let fresh = true;
  for (let i = e.body; i < e.end; i++) {
    const b = buf[i];
    // A subidentifier must not start with 0x80 (X.690 8.19.2).
    if (fresh && b === 0x80) return undefined;
    v = v * 128 + (b & 0x7f);
    if (v > 0xffffffff) return undefined;
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(v);
      v = 0;
    }
  }
  if (!fresh) return undefined;
  const first = arcs[0];
  const head = first < 40 ? `0.${first}` : first < 80 ? `1.${first - 40}` : `2.${first - 80}`;
  return arcs.length === 1 ? head : `${head}.${arcs.slice(1).join('.')}`;
}

/** The parts of a SubjectPublicKeyInfo in strict DER, or undefined (then the general parser decides). */
export interface SpkiParts {
  algorithm: string;
  /** The parameters element, if any. */
  params?: Element;
  /** The subjectPublicKey BIT STRING's bits (after the unused-bits octet, which must be 0). */
  key: Uint8Array;
}

/**
 *   SubjectPublicKeyInfo  ::=  SEQUENCE  {
 *        algorithm            AlgorithmIdentifier,
 *        subjectPublicKey     BIT STRING  }
 */
export function readSpki(buf: Uint8Array): SpkiParts | undefined {
  const root = readElement(buf, 0, buf.length);
  if (!root || root.tag !== 0x30 || root.end !== buf.length) return undefined;
  const parts = readChildren(buf, root, 2);
  if (!parts || parts.length !== 2 || parts[0].tag !== 0x30 || parts[1].tag !== 0x03) return undefined;
  const alg = readChildren(buf, parts[0], 2);
  if (!alg || alg.length === 0) return undefined;
  const algorithm = oidText(buf, alg[0]);
  const bits = parts[1];
  if (algorithm === undefined || bits.end === bits.body || buf[bits.body] !== 0) return undefined;
  return { algorithm, params: alg[1], key: buf.subarray(bits.body + 1, bits.end) };
}
