import * as asn1js from 'asn1js';
import { children, isContextTag, malformed, oidOf, parseDer } from './der';
import { OID } from './oids';

/** ub-challenge-password (RFC 2985 5.4.1). */
const MAX_CHALLENGE_CHARS = 255;

/**
 * The challengePassword attribute of a PKCS#10 request (PKCS#9, RFC 2985
 * 5.4.1), or undefined when it has none:
 *
 *   challengePassword ATTRIBUTE ::= { WITH SYNTAX DirectoryString {pkcs-9-ub-challengePassword}
 *        EQUALITY MATCHING RULE caseExactMatch SINGLE VALUE TRUE ID pkcs-9-at-challengePassword }
 *
 * EST (RFC 7030 §3.5) carries the TLS channel binding in it; SCEP a
 * password. Reads the structure only: the request's signature is parseCsr's
 * to check. One value of PrintableString, UTF8String or IA5String (which
 * some clients write although DirectoryString has no such choice); anything
 * else, two attributes or two values is MALFORMED_REQUEST.
 */
export function challengePasswordOf(der: Buffer): string | undefined {
  const [info] = children(parseDer(der, 'certificate request'), 'CertificationRequest');
  const parts = children(info, 'CertificationRequestInfo');
  const attrs = parts[3];
  if (attrs === undefined) return undefined;
  if (!isContextTag(attrs, 0)) throw malformed('CertificationRequestInfo: attributes must be [0]');
  const found: asn1js.AsnType[] = [];
  for (const attr of (attrs as asn1js.Constructed).valueBlock.value) {
    const [type, values] = children(attr, 'Attribute');
    if (oidOf(type, 'Attribute type') === OID.challengePassword) found.push(values);
  }
  if (found.length === 0) return undefined;
  if (found.length > 1) throw malformed('certificate request: more than one challengePassword attribute');
  const values = found[0];
  if (!(values instanceof asn1js.Set) || values.valueBlock.value.length !== 1) throw malformed('challengePassword: must hold exactly one value');
  const value = values.valueBlock.value[0];
  if (!(value instanceof asn1js.PrintableString || value instanceof asn1js.Utf8String || value instanceof asn1js.IA5String)) {
    throw malformed('challengePassword: must be a PrintableString or UTF8String');
  }
  const text = value.valueBlock.value;
  if (text.length === 0 || text.length > MAX_CHALLENGE_CHARS) throw malformed(`challengePassword: must be 1–${MAX_CHALLENGE_CHARS} characters`);
  return text;
}
