import * as asn1js from 'asn1js';
import { textProblem, type San } from '@signet/contracts';
import { OID } from '../oids';
import {
  derSequence,
  encodeOid,
  expectType,
  malformed,
  oidOf,
  parseDer,
  sequenceOf,
  tlv,
  tlvOf,
  valueBytes,
} from '../der';
import { ipFromBytes, ipToBytes } from './ip-address';

/**
 * GeneralName tags used by Signet, RFC 5280 4.2.1.6:
 *
 *   GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
 *
 *   GeneralName ::= CHOICE {
 *        otherName                       [0]     OtherName,
 *        rfc822Name                      [1]     IA5String,
 *        dNSName                         [2]     IA5String,
 *        x400Address                     [3]     ORAddress,
 *        directoryName                   [4]     Name,
 *        ediPartyName                    [5]     EDIPartyName,
 *        uniformResourceIdentifier       [6]     IA5String,
 *        iPAddress                       [7]     OCTET STRING,
 *        registeredID                    [8]     OBJECT IDENTIFIER }
 *
 *   OtherName ::= SEQUENCE {
 *        type-id    OBJECT IDENTIFIER,
 *        value      [0] EXPLICIT ANY DEFINED BY type-id }
 *
 * The certificate module uses implicit tagging, so [1] [2] [6] [7] carry the
 * string bytes directly and [0] replaces the SEQUENCE tag of OtherName.
 */
const TAG = { otherName: 0, rfc822Name: 1, dNSName: 2, uri: 6, iPAddress: 7 } as const;
const TAG_NAMES = ['otherName', 'rfc822Name', 'dNSName', 'x400Address', 'directoryName', 'ediPartyName', 'uniformResourceIdentifier', 'iPAddress', 'registeredID'];

// IA5String is 7-bit ASCII; internationalised names must arrive as A-labels.
// eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose
const IA5 = /^[\x00-\x7f]*$/;

function ia5(tag: number, san: San): Buffer {
  // Names the problem, never the value: it may be what is wrong.
  if (!IA5.test(san.value)) throw malformed(`subjectAltName ${san.type}: not ASCII (IA5String)`);
  return tlv(0x80 | tag, Buffer.from(san.value, 'ascii'));
}

/** One GeneralName's DER, written directly (the same bytes as the asn1js tree it replaced; the differential test holds them equal). */
function encodeGeneralName(san: San): Buffer {
  // A name Signet writes never carries a control character (ADR 0022).
  const problem = san.type === 'ip' ? undefined : textProblem(san.value);
  if (problem) throw malformed(`subjectAltName ${san.type} ${problem}`);
  switch (san.type) {
    case 'dns':
      return ia5(TAG.dNSName, san);
    case 'email':
      return ia5(TAG.rfc822Name, san);
    case 'uri':
      return ia5(TAG.uri, san);
    case 'ip':
      return tlv(0x80 | TAG.iPAddress, ipToBytes(san.value));
    case 'upn':
      // Microsoft's UPN otherName carries a UTF8String.
      return tlvOf(0xa0 | TAG.otherName, [encodeOid(OID.upn), tlv(0xa0, tlv(0x0c, Buffer.from(san.value, 'utf8')))]);
    default:
      throw malformed(`subjectAltName: unsupported type "${(san as { type: string }).type}"`);
  }
}

/** DER of GeneralNames for a subjectAltName extnValue, in the given order. */
export function encodeSubjectAltName(sans: San[]): Buffer {
  if (sans.length === 0) throw malformed('subjectAltName: at least one name is required (SIZE 1..MAX)');
  return derSequence(sans.map(encodeGeneralName));
}

function decodeIa5(block: asn1js.AsnType, what: string): string {
  if ((block as asn1js.BaseBlock).idBlock.isConstructed) throw malformed(`subjectAltName ${what}: must be primitive`);
  const bytes = valueBytes(block);
  const text = bytes.toString('latin1');
  if (!IA5.test(text)) throw malformed(`subjectAltName ${what}: not an IA5String`);
  if (text.length === 0) throw malformed(`subjectAltName ${what}: empty`);
  return text;
}

function decodeOtherName(block: asn1js.AsnType): San {
  const parts = (block as asn1js.Constructed).valueBlock.value;
  const typeId = oidOf(parts[0], 'subjectAltName otherName type-id');
  if (typeId !== OID.upn) throw malformed(`subjectAltName: otherName ${typeId} is not supported`);
  const explicit = parts[1];
  if (parts.length !== 2 || explicit === undefined || !(explicit instanceof asn1js.Constructed)) {
    throw malformed('subjectAltName: UPN otherName value must be [0] EXPLICIT');
  }
  const inner = explicit.valueBlock.value;
  if (inner.length !== 1) throw malformed('subjectAltName: UPN otherName value must hold one string');
  const value = expectType(inner[0], asn1js.Utf8String, 'subjectAltName UPN').valueBlock.value;
  if (value.length === 0) throw malformed('subjectAltName UPN: empty');
  return { type: 'upn', value };
}

/**
 * GeneralNames back to Signet's San list, in certificate order. Kinds that a
 * San cannot express (directoryName, registeredID, x400Address, ediPartyName,
 * otherName other than UPN) are REFUSED with MalformedRequest rather than
 * skipped: a name the policy never saw must not slip through unnoticed.
 */
export function decodeSubjectAltName(der: Buffer): San[] {
  const items = sequenceOf(parseDer(der, 'subjectAltName'), 'subjectAltName');
  if (items.length === 0) throw malformed('subjectAltName: empty GeneralNames');
  return items.map((block): San => {
    const id = (block as asn1js.BaseBlock).idBlock;
    if (id.tagClass !== 3) throw malformed('subjectAltName: GeneralName must be context-tagged');
    switch (id.tagNumber) {
      case TAG.otherName:
        if (!id.isConstructed) throw malformed('subjectAltName otherName: must be constructed');
        return decodeOtherName(block);
      case TAG.rfc822Name:
        return { type: 'email', value: decodeIa5(block, 'rfc822Name') };
      case TAG.dNSName:
        return { type: 'dns', value: decodeIa5(block, 'dNSName') };
      case TAG.uri:
        return { type: 'uri', value: decodeIa5(block, 'uniformResourceIdentifier') };
      case TAG.iPAddress:
        if (id.isConstructed) throw malformed('subjectAltName iPAddress: must be primitive');
        return { type: 'ip', value: ipFromBytes(valueBytes(block)) };
      default:
        throw malformed(`subjectAltName: ${TAG_NAMES[id.tagNumber] ?? `[${id.tagNumber}]`} names are not supported`, {
          generalName: TAG_NAMES[id.tagNumber] ?? id.tagNumber,
        });
    }
  });
}
