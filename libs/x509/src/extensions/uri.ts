import * as asn1js from 'asn1js';
import { implicitPrimitive, isContextTag, malformed, valueBytes } from '../der';

/** Longest URL Signet writes into a certificate or CRL (RFC 5280 sets none; relying parties do). */
export const MAX_URI_LENGTH = 2048;

/**
 * Access URLs the CA publishes (CRL distribution points, AIA, OCSP). Only
 * schemes relying parties fetch over plain transports: RFC 5280 4.2.1.13
 * and 4.2.2.1 name HTTP and LDAP; HTTPS is accepted for operators who want
 * it, though RFC 5019 advises plain HTTP for status information.
 */
export function checkAccessUri(uri: string, what: string): void {
  if (uri.length === 0 || uri.length > MAX_URI_LENGTH) throw malformed(`${what}: URL must be 1..${MAX_URI_LENGTH} characters`);
  // IA5String: 7-bit ASCII without controls or spaces in a URL.
  if (!/^[\x21-\x7e]+$/.test(uri)) throw malformed(`${what}: URL must be printable ASCII without spaces`);
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw malformed(`${what}: "${uri.slice(0, 80)}" is not a URL`);
  }
  if (!['http:', 'https:', 'ldap:'].includes(parsed.protocol)) throw malformed(`${what}: only http, https and ldap URLs are published`);
}

/** GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String. */
export function uriGeneralName(uri: string, what: string): asn1js.Primitive {
  checkAccessUri(uri, what);
  return implicitPrimitive(6, Buffer.from(uri, 'ascii'));
}

/** The URL of a GeneralName, or undefined for any other kind of name. */
export function uriOfGeneralName(block: asn1js.AsnType, what: string): string | undefined {
  if (!isContextTag(block, 6)) return undefined;
  if ((block as asn1js.BaseBlock).idBlock.isConstructed) throw malformed(`${what}: URI must be primitive`);
  const text = valueBytes(block).toString('latin1');
  // eslint-disable-next-line no-control-regex -- IA5String is every 7-bit code, NUL included
  if (!/^[\x00-\x7f]+$/.test(text)) throw malformed(`${what}: URI is not an IA5String`);
  return text;
}
