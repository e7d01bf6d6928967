import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorCode, LIMITS, SignetError, textProblem } from '@signet/contracts';
import type { Name, Rdn } from '@signet/contracts';
import { ATTRIBUTE_TYPES, attributeShortName, attributeTypeOid } from './oids';
import { children, derSequence, encodeOid, oidOf, parseDer, tlv, toDer } from './der';

/**
 * Distinguished names, RFC 5280 4.1.2.4:
 *
 *   Name ::= CHOICE { -- only one possibility for now --
 *     rdnSequence  RDNSequence }
 *   RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE {
 *     type     AttributeType,
 *     value    AttributeValue }
 *
 * Signet's `Name` is a list of single-valued RDNs, most significant (root-
 * most) first, exactly the order of the DER. Every RDN is its own SET: a
 * single SET with several values would be one multi-valued RDN
 * ("C=DE + O=X + CN=Y"), which is not what anybody means.
 */

function bad(message: string, details?: Record<string, unknown>): SignetError {
  return new SignetError(ErrorCode.MalformedRequest, message, details);
}

/** Upper bounds from RFC 5280 Appendix A.1 (ub-*), in characters. */
const MAX_LENGTH: Record<string, number> = {
  CN: 64,
  O: 64,
  OU: 64,
  L: 128,
  ST: 128,
  title: 64,
  serialNumber: 64,
  E: 255,
  // A domainComponent is one DNS label.
  DC: 63,
};

/** Longest value allowed for an attribute type (short name), RFC 5280 ub-*; 1024 for types without a bound. */
export function attributeMaxLength(shortName: string): number {
  if (shortName === 'C') return 2;
  return MAX_LENGTH[shortName] ?? 1024;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
// eslint-disable-next-line no-control-regex -- IA5String is every 7-bit code, NUL included
const IA5 = /^[\x00-\x7f]*$/;

/** Check one RDN; returns its attribute OID. Throws MalformedRequest naming the attribute. */
function checkRdn(rdn: Rdn): string {
  const oid = attributeTypeOid(rdn.type);
  if (oid === undefined) throw bad(`name: unknown attribute type "${rdn.type}"`, { type: rdn.type });
  const short = attributeShortName(oid);
  const v = rdn.value;
  if (v.length === 0) throw bad(`name: ${short} is empty`, { type: short });
  // Before any check that quotes the value: CR/LF in a CN never reaches a certificate (ADR 0022).
  const problem = textProblem(v);
  if (problem) throw bad(`name: ${short} ${problem}`, { type: short });
  const max = MAX_LENGTH[short] ?? 1024;
  if (v.length > max) throw bad(`name: ${short} longer than ${max} characters`, { type: short, length: v.length });
  if (short === 'C' && !/^[A-Za-z]{2}$/.test(v)) throw bad(`name: C must be a two-letter country code, got "${v}"`, { type: 'C' });
  if (short === 'serialNumber' && !PRINTABLE.test(v)) throw bad('name: serialNumber must be a PrintableString', { type: short });
  if ((short === 'E' || short === 'DC') && !IA5.test(v)) throw bad(`name: ${short} must be ASCII (IA5String)`, { type: short });
  return oid;
}

/** Throws MalformedRequest when the name has an unknown type, a bad value or too many RDNs. */
export function validateName(name: Name): void {
  if (name.length > LIMITS.rdnCount) throw bad(`name: more than ${LIMITS.rdnCount} RDNs`);
  name.forEach(checkRdn);
}

/**
 * String type per attribute: X.520 makes countryName and serialNumber
 * PrintableString; emailAddress (PKCS#9) and domainComponent (RFC 4519) are
 * IA5String; RFC 5280 4.1.2.4 says everything else SHOULD be UTF8String.
 */
function attributeValue(oid: string, value: string): asn1js.AsnType {
  switch (oid) {
    case ATTRIBUTE_TYPES.C:
    case ATTRIBUTE_TYPES.serialNumber:
      return new asn1js.PrintableString({ value });
    case ATTRIBUTE_TYPES.E:
    case ATTRIBUTE_TYPES.DC:
      return new asn1js.IA5String({ value });
    default:
      return new asn1js.Utf8String({ value });
  }
}

function nameSchema(name: Name): asn1js.Sequence {
  validateName(name);
  return new asn1js.Sequence({
    value: name.map((rdn) => {
      const oid = attributeTypeOid(rdn.type) as string;
      return new asn1js.Set({
        value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), attributeValue(oid, rdn.value)] })],
      });
    }),
  });
}

/** Universal tag of the string type attributeValue picks for `oid`. */
function stringTag(oid: string): number {
  switch (oid) {
    case ATTRIBUTE_TYPES.C:
    case ATTRIBUTE_TYPES.serialNumber:
      return 0x13; // PrintableString
    case ATTRIBUTE_TYPES.E:
    case ATTRIBUTE_TYPES.DC:
      return 0x16; // IA5String
    default:
      return 0x0c; // UTF8String
  }
}

/**
 * DER of a Name (validated first), written directly: the same bytes as the
 * asn1js tree of nameSchema (the differential test holds them equal), at a
 * fraction of the cost, since every issued certificate encodes its subject.
 * PrintableString and IA5String values are ASCII once validated, so one
 * byte per character is exact.
 */
export function encodeName(name: Name): Buffer {
  validateName(name);
  return derSequence(
    name.map((rdn) => {
      const oid = attributeTypeOid(rdn.type) as string;
      const tag = stringTag(oid);
      const value = tlv(tag, Buffer.from(rdn.value, tag === 0x0c ? 'utf8' : 'latin1'));
      return tlv(0x31, derSequence([encodeOid(oid), value]));
    }),
  );
}

/**
 * A pkijs RelativeDistinguishedNames for `name`. pkijs's own encoder would
 * put all values in one SET, so the object carries our DER in
 * `valueBeforeDecode`, which pkijs re-emits verbatim.
 */
export function nameToPkijs(name: Name): pkijs.RelativeDistinguishedNames {
  const der = toDer(nameSchema(name));
  const typesAndValues = name.map((rdn) => {
    const oid = attributeTypeOid(rdn.type) as string;
    return new pkijs.AttributeTypeAndValue({ type: oid, value: attributeValue(oid, rdn.value) as never });
  });
  return new pkijs.RelativeDistinguishedNames({ typesAndValues, valueBeforeDecode: new Uint8Array(der).buffer });
}

/** Whether a value is one of the character string types (UTCTime and GeneralizedTime are VisibleStrings to asn1js, not text). */
function isStringValue(block: asn1js.AsnType): boolean {
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) return false;
  return (
    block instanceof asn1js.Utf8String ||
    block instanceof asn1js.PrintableString ||
    block instanceof asn1js.IA5String ||
    block instanceof asn1js.TeletexString ||
    block instanceof asn1js.BmpString ||
    block instanceof asn1js.UniversalString ||
    block instanceof asn1js.VisibleString ||
    block instanceof asn1js.NumericString
  );
}

/** Text of a DirectoryString-like value; anything else as RFC 4514 "#hex" of its DER. */
function valueText(block: asn1js.AsnType): string {
  if (isStringValue(block)) return (block as asn1js.Utf8String).valueBlock.value;
  return `#${toDer(block as asn1js.BaseBlock).toString('hex')}`;
}

/**
 * How error messages and policy rules name each RDN of `name`:
 * `<prefix>.CN`, or `<prefix>.OU[1]` when the type occurs more than once.
 */
export function nameFields(name: Name, prefix: string): string[] {
  const count = new Map<string, number>();
  for (const rdn of name) count.set(rdn.type, (count.get(rdn.type) ?? 0) + 1);
  const seen = new Map<string, number>();
  return name.map((rdn) => {
    const i = seen.get(rdn.type) ?? 0;
    seen.set(rdn.type, i + 1);
    return count.get(rdn.type)! > 1 ? `${prefix}.${rdn.type}[${i}]` : `${prefix}.${rdn.type}`;
  });
}

export interface DecodeNameOptions {
  /**
   * For names a requester wrote (a CSR's subject), which the CA re-encodes
   * from their text: every value must be a character string that decodes
   * cleanly (valid UTF-8 in a UTF8String, code points in range in a
   * UniversalString), or MalformedRequest names the field as `<field>.CN`.
   * Without it, any value decodes, a non-string one as "#hex".
   */
  strict?: { field: string };
}

/**
 * Name from its DER. A multi-valued RDN is flattened into consecutive
 * single-valued RDNs in SET order: Signet's Name cannot express it, and the
 * CA always re-encodes subjects as single-valued RDNs anyway.
 */
export function decodeName(der: Uint8Array, opts: DecodeNameOptions = {}): Name {
  const out: Name = [];
  const blocks: asn1js.AsnType[] = [];
  for (const set of children(parseDer(der, 'Name'), 'Name')) {
    if (!(set instanceof asn1js.Set)) throw bad('Name: RDN must be a SET');
    const atvs = set.valueBlock.value;
    if (atvs.length === 0) throw bad('Name: empty RDN');
    for (const atv of atvs) {
      const [type, value, extra] = children(atv, 'AttributeTypeAndValue');
      if (value === undefined || extra !== undefined) throw bad('Name: AttributeTypeAndValue must have type and value');
      out.push({ type: attributeShortName(oidOf(type, 'AttributeType')), value: valueText(value) });
      blocks.push(value);
    }
  }
  if (opts.strict) {
    const fields = nameFields(out, opts.strict.field);
    blocks.forEach((block, i) => {
      const field = fields[i]!;
      if (!isStringValue(block)) throw bad(`${field}: the value is not a character string`, { field });
      // asn1js decodes what it cannot read as text anyway (invalid UTF-8 as Latin-1, out-of-range code points as U+FFFD) and says so here.
      if ((block as asn1js.BaseBlock).warnings.length > 0) throw bad(`${field}: the value is not valid for its string type`, { field });
    });
  }
  return out;
}

/** Name of a parsed pkijs RDN sequence, from its original bytes when it has them. */
export function nameFromPkijs(rdns: pkijs.RelativeDistinguishedNames): Name {
  return decodeName(new Uint8Array(rdns.toSchema().toBER(false)));
}

/** RFC 4514 2.4 escaping of one attribute value. */
function escapeValue(v: string): string {
  // eslint-disable-next-line no-control-regex -- RFC 4514 escapes NUL as \00
  let s = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\x00/g, '\\00');
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ')) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/**
 * "C=DE, O=Signet, CN=Root": RFC 4514 escaping, but in Signet's order (most
 * significant first, as stored and as parseNameString reads it), which is
 * the reverse of RFC 4514's and the same as OpenSSL's default display.
 */
export function formatName(name: Name): string {
  return name.map((r) => `${attributeShortName(attributeTypeOid(r.type) ?? r.type)}=${escapeValue(r.value)}`).join(', ');
}

/** Split on an unescaped separator character. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i];
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(raw: string): string {
  const bytes: number[] = [];
  const utf8 = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') {
      utf8(raw[i]);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (i + 1 < raw.length) {
      utf8(raw[++i]);
    } else {
      throw bad('name: dangling backslash');
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Parse a configured name. Written most significant first, in either form:
 *   "C=DE,O=Signet,CN=Signet Root CA"   (commas, optional spaces after them)
 *   "/C=DE/O=Signet/CN=Signet Root CA"  (OpenSSL -subj)
 * Both give [C, O, CN]. RFC 4514 escapes (\, \+ \2C) are understood. A '+'
 * (multi-valued RDN) is refused. The result is validated like nameToPkijs.
 */
export function parseNameString(text: string): Name {
  // Trailing whitespace is dropped unless escaped ("CN=x\\ " keeps its space).
  const trimmed = text.trimStart().replace(/(?<!\\)\s+$/, '');
  if (trimmed === '') return [];
  const slashForm = trimmed.startsWith('/');
  const parts = slashForm ? splitUnescaped(trimmed.slice(1), '/') : splitUnescaped(trimmed, ',');
  const name: Name = parts.map((part) => {
    const p = slashForm ? part : part.replace(/^\s+/, '');
    if (splitUnescaped(p, '+').length > 1) throw bad(`name: multi-valued RDN "${p}" is not supported`);
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(`name: "${p}" is not TYPE=value`);
    const type = p.slice(0, eq).trim();
    const oid = attributeTypeOid(type);
    if (oid === undefined) throw bad(`name: unknown attribute type "${type}"`, { type });
    return { type: attributeShortName(oid), value: unescapeValue(p.slice(eq + 1)) };
  });
  validateName(name);
  return name;
}
