import * as asn1js from 'asn1js';
import { ErrorCode, SignetError, type ExtensionValue } from '@signet/contracts';
import { decodeElement, tlv } from './der';
import { encodeTime } from './validity';

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
      // eslint-disable-next-line no-control-regex -- IA5 is 7-bit ASCII, NUL included
      if (!/^[\x00-\x7f]*$/.test(v.value)) throw bad('a string value must be ASCII: it is encoded as an IA5String');
      return tlv(0x16, Buffer.from(v.value, 'ascii'));
    case 'long':
      return tlv(0x02, integerContent(v.value));
    case 'date':
      return timeValue(new Date(v.value));
  }
}

function bad(message: string): SignetError {
  return new SignetError(ErrorCode.BadMessage, `extension value: ${message}`);
}

/** Exactly one DER element, nothing after it: the certificate would carry it byte for byte. */
function checkedDer(der: Buffer): Buffer {
  if (der.length === 0) throw bad('empty DER');
  const res = decodeElement(new Uint8Array(der.buffer, der.byteOffset, der.byteLength));
  if ('error' in res) throw bad(`not valid DER (${res.error})`);
  if (res.trailing !== 0) throw bad(`${res.trailing} byte(s) after the DER element`);
  if ((res.block as asn1js.BaseBlock).lenBlock.isIndefiniteForm) throw bad('indefinite length is BER, not DER');
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

/** RFC 5280's Time, as in a certificate's validity; an administrator's bad date is a BAD_MESSAGE. */
function timeValue(date: Date): Buffer {
  try {
    return encodeTime(date);
  } catch (e) {
    throw bad((e as Error).message);
  }
}
