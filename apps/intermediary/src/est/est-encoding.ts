import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { ErrorCode, LIMITS, SignetError, requesterNameOf, type Identity } from '@signet/contracts';
import { mediaType } from '@signet/http';

/** RFC 7030 §4.2.1 (RFC 5967). */
export const PKCS10_MEDIA_TYPE = 'application/pkcs10';
/** RFC 7030 §4.1.3, §4.2.3 (RFC 8551 §3.2.2: the degenerate SignedData). */
export const CERTS_ONLY_MEDIA_TYPE = 'application/pkcs7-mime; smime-type=certs-only';
/** RFC 7030 §4.5.2. */
export const CSRATTRS_MEDIA_TYPE = 'application/csrattrs';
/** RFC 7030 §4.4.2 (RFC 5958). */
export const PKCS8_MEDIA_TYPE = 'application/pkcs8';

/**
 * An EST request body → the DER it carries. RFC 7030 §4.2.1 sends base64
 * DER; RFC 8951 §3.2 makes base64 the encoding whatever a
 * Content-Transfer-Encoding header says (so the header is not read).
 * Line breaks and other whitespace anywhere are accepted (clients wrap at
 * 64 or 76 characters, or not at all); anything else is refused:
 *  - not `application/pkcs10`: 415 UNSUPPORTED_MEDIA_TYPE;
 *  - empty, not base64, or not a DER SEQUENCE: 400 MALFORMED_REQUEST;
 *  - longer than a CSR may be: 413 TOO_LARGE.
 * Whether it is a PKCS#10 with a good signature is the CSR parser's to say.
 */
export function csrDerOf(contentType: string | undefined, body: unknown): Buffer {
  if (mediaType(contentType) !== PKCS10_MEDIA_TYPE) {
    throw new SignetError(ErrorCode.UnsupportedMediaType, `Content-Type must be ${PKCS10_MEDIA_TYPE} (base64 of the DER request)`, {
      contentType: mediaType(contentType)?.slice(0, 128) ?? null,
    });
  }
  const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (raw.length > LIMITS.requestChars) {
    throw new SignetError(ErrorCode.TooLarge, `the request exceeds ${LIMITS.requestChars} characters`, { limitChars: LIMITS.requestChars });
  }
  const text = raw.toString('latin1').replace(/[\t\n\r ]/g, '');
  if (text === '') throw new SignetError(ErrorCode.MalformedRequest, 'the body is empty: send base64 of the DER PKCS#10 request');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new SignetError(ErrorCode.MalformedRequest, 'the body is not base64 (RFC 7030 §4.2.1: base64 of the DER PKCS#10 request)');
  }
  const der = Buffer.from(text, 'base64');
  if (der[0] !== 0x30) throw new SignetError(ErrorCode.MalformedRequest, 'the body is base64, but not of a DER PKCS#10 request');
  return der;
}

/** Base64 on ONE line: strongSwan's pki reads nothing else, and curl + openssl take it too. */
export function base64Body(der: Buffer): string {
  return der.toString('base64');
}

/**
 * The idempotency key that makes a device's retry of the same request (RFC
 * 7030 §4.2.3: after a 202, the client sends the same CSR again) find its
 * first submit at ca-core: who asked, for which label's template, and the
 * request's bytes. Another requester's identical CSR is another request;
 * ca-core also refuses a key whose requester differs (ADR 0026).
 */
export function estIdempotencyKey(identity: Pick<Identity, 'method' | 'principal'>, template: string | undefined, der: Buffer): string {
  const h = createHash('sha256').update(requesterNameOf(identity)).update('\0').update(template ?? '').update('\0').update(der);
  return `est-${h.digest('hex')}`;
}

/** The RFC 7030 §4.4.2 answer of serverkeygen. */
export interface ServerKeygenBody {
  contentType: string;
  body: string;
}

/**
 * RFC 7030 §4.4.2: multipart/mixed with the private key (PKCS#8,
 * unencrypted: the TLS session protects it, §4.4.1.1) and the certificate
 * (certs-only), each base64 on one line, CRLF between lines as MIME wants.
 * The boundary is random: it cannot occur in base64 text anyway, but a
 * fixed one would tell a reader nothing either.
 */
export function serverKeygenBody(privateKey: KeyObject, certsOnly: Buffer): ServerKeygenBody {
  const boundary = `signet-est-${randomBytes(12).toString('hex')}`;
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const part = (type: string, der: Buffer) => `--${boundary}\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Body(der)}\r\n`;
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: `${part(PKCS8_MEDIA_TYPE, pkcs8)}${part(CERTS_ONLY_MEDIA_TYPE, certsOnly)}--${boundary}--\r\n`,
  };
}
