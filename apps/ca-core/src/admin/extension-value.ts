import * as asn1js from 'asn1js';
import { ErrorCode, SignetError, type ExtensionValue } from '@signet/contracts';

/**
 * ICertAdmin::SetCertificateExtension values, turned into the DER that
 * goes inside the extension's OCTET STRING:
 *   PROPTYPE_BINARY → the DER as given (it must be one well-formed element)
 *   PROPTYPE_STRING → IA5String (AD CS's choice; non-ASCII is refused, not mangled)
 *   PROPTYPE_LONG   → INTEGER (two's complement, minimal octets)
 *   PROPTYPE_DATE   → Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5)
 */
export function encodeExtensionValue(v: ExtensionValue): Buffer {
  switch (v.type) {
    case 'der':
      return checkedDer(Buffer.from(v.value, 'base64'));
    case 'string':
      // IA5 is 7-bit ASCII.
      // eslint-disable-next-line no-control-regex
      if (!/^[\x00-\x7f]*$/.test(v.value)) throw bad('a string value must be ASCII: it is encoded as an IA5String');
      return tlv(0x16, Buffer.from(v.value, 'ascii'));
    case 'long':
      return tlv(0x02, integerContent(v.value));
    case 'date':
      return encodeTime(new Date(v.value));
  }
}

function bad(message: string): SignetError {
  return new SignetError(ErrorCode.BadMessage, `extension value: ${message}`);
}

/** Exactly one DER element, nothing after it: the certificate would carry it byte for byte. */
function checkedDer(der: Buffer): Buffer {
  if (der.length === 0) throw bad('empty DER');
  const view = new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
  const res = asn1js.fromBER(view, { maxDepth: 32, maxNodes: 4096 });
  if (res.offset === -1 || res.result.error) throw bad(`not valid DER (${res.result.error || 'undecodable'})`);
  if (res.offset !== der.length) throw bad(`${der.length - res.offset} byte(s) after the DER element`);
  if ((res.result as asn1js.BaseBlock).lenBlock.isIndefiniteForm) throw bad('indefinite length is BER, not DER');
  return der;
}

/** Minimal two's complement octets of a 32-bit signed integer (X.690 8.3). */
export function integerContent(n: number): Buffer {
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw bad('a long value must be a 32-bit integer');
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  let i = 0;
  // Drop a leading octet while the next one carries the same sign bit.
  while (i < 3 && ((b[i] === 0x00 && (b[i + 1] & 0x80) === 0) || (b[i] === 0xff && (b[i + 1] & 0x80) !== 0))) i++;
  return b.subarray(i);
}

export function encodeTime(date: Date): Buffer {
  if (!Number.isFinite(date.getTime())) throw bad('invalid date');
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) throw bad(`year ${year} cannot be encoded`);
  const p2 = (x: number) => String(x).padStart(2, '0');
  const rest = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${p2(year % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
