/**
 * Just enough DER to build and break certificate requests in tests. It is
 * kept apart from libs/x509 on purpose: a fuzzer that shared the parser's
 * idea of DER would only make the mistakes the parser already expects.
 */

/** One TLV with a definite, minimal length. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(content.length), content]);
}

export function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
export const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const base128 = (v: number) => {
    const groups: number[] = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  };
  base128(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) base128(a);
  return tlv(0x06, Buffer.from(out));
}

/** A node of a DER tree as found in the bytes: where its tag, length and content are. */
export interface DerNode {
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first length byte. */
  lengthAt: number;
  /** Offset of the content. */
  contentAt: number;
  end: number;
  tag: number;
  depth: number;
}

/**
 * Every node of a well-formed DER encoding, depth first; constructed nodes
 * (and BIT STRING / OCTET STRING contents that happen to be DER) are
 * walked into. Stops quietly where the bytes stop making sense.
 */
export function derNodes(der: Buffer, from = 0, to = der.length, depth = 0, out: DerNode[] = []): DerNode[] {
  let at = from;
  while (at < to && out.length < 10_000) {
    const start = at;
    const tag = der[at++]!;
    if ((tag & 0x1f) === 0x1f || at >= to) return out;
    const lengthAt = at;
    let len = der[at++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || at + n > to) return out;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at++]!;
    }
    const end = at + len;
    if (end > to) return out;
    out.push({ start, lengthAt, contentAt: at, end, tag, depth });
    if (tag & 0x20) derNodes(der, at, end, depth + 1, out);
    else if (tag === 0x04 && len > 1 && der[at] === 0x30) derNodes(der, at, end, depth + 1, out);
    at = end;
  }
  return out;
}

/** The content of the outermost SEQUENCE's first element (a CSR's CertificationRequestInfo), with its TLV. */
export function firstElement(der: Buffer): Buffer | undefined {
  const nodes = derNodes(der);
  const inner = nodes.find((n) => n.depth === 1);
  return inner && der.subarray(inner.start, inner.end);
}
