import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorCode, LIMITS, SignetError, textProblem } from '@signet/contracts';
import type { Name, PublicKeyInfo, San } from '@signet/contracts';
import { OID } from './oids';
import { children, describeThrown, expectType, isContextTag, malformed, oidOf, parseDer } from './der';
import { initCrypto } from './engine';
import { decodeName, nameFields } from './names';
import { attributeShortName } from './oids';
import { describeKeyObject, publicKeyFromSpki } from './public-key';
import { parseAlgorithmIdentifier, verifierFor } from './algorithms';
import { parseExtensions, type RawExtension } from './extension-list';
import { decodeSubjectAltName } from './extensions';
import { isConstructed, oidText, readChildren, readElement, type Element } from './der-reader';

export interface ParsedCsr {
  der: Buffer;
  subject: Name;
  subjectAltNames: San[];
  publicKey: PublicKeyInfo;
  /** DER SubjectPublicKeyInfo, byte-exact from the request. */
  spki: Buffer;
  /** Extensions from the extensionRequest attribute; value is base64 of the extnValue contents. */
  extensions: { oid: string; critical: boolean; value: string }[];
  /** OID of the request's signature algorithm. */
  signatureAlgorithm: string;
}

/**
 * Decode and verify a PKCS#10 request (RFC 2986):
 *
 *   CertificationRequest ::= SEQUENCE {
 *        certificationRequestInfo CertificationRequestInfo,
 *        signatureAlgorithm AlgorithmIdentifier{{ SignatureAlgorithms }},
 *        signature          BIT STRING }
 *
 *   CertificationRequestInfo ::= SEQUENCE {
 *        version       INTEGER { v1(0) } (v1,...),
 *        subject       Name,
 *        subjectPKInfo SubjectPublicKeyInfo{{ PKInfoAlgorithms }},
 *        attributes    [0] Attributes{{ CRIAttributes }} }
 *
 * The signature is the requester's proof of possession of the private key,
 * so a request whose signature does not verify is rejected (BadSignature)
 * before anyone looks at its content. Names and extensions are read from the
 * original bytes, never from a re-encoding.
 *
 * Every failure is a SignetError: MalformedRequest for anything that cannot
 * be read, including exceptions asn1js and pkijs throw on their own (a tag
 * swapped to GeneralizedTime), and for a name holding a control character
 * or a lone surrogate, which names the field (`subject.CN`, `san.dns[0]`)
 * and never quotes the value (ADR 0022).
 */
export async function parseCsr(der: Buffer): Promise<ParsedCsr> {
  initCrypto();
  try {
    return await parse(der);
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw malformed(`certificate request: cannot be decoded (${describeThrown(e)})`);
  }
}

async function parse(der: Buffer): Promise<ParsedCsr> {
  if (der.length > LIMITS.requestChars) {
    throw new SignetError(ErrorCode.TooLarge, `certificate request exceeds ${LIMITS.requestChars} bytes`);
  }
  // The common request in its one DER shape, read directly; anything else, and every refusal, takes the general path below.
  const fast = await parseCommon(der);
  if (fast) return fast;
  const root = parseDer(der, 'certificate request');
  try {
    // pkijs checks the overall PKCS#10 schema; the fields are read below from the tree itself.
    new pkijs.CertificationRequest({ schema: root });
  } catch (e) {
    throw malformed(`not a PKCS#10 certificate request (${(e as Error).message})`);
  }
  const [infoBlock, algBlock, sigBlock, extra] = children(root, 'CertificationRequest');
  if (extra !== undefined) throw malformed('CertificationRequest: unexpected component');
  const [version, subjectBlock, spkiBlock, attrsBlock, extraInfo] = children(infoBlock, 'CertificationRequestInfo');
  if (extraInfo !== undefined) throw malformed('CertificationRequestInfo: unexpected component');
  const v = expectType(version, asn1js.Integer, 'CertificationRequestInfo version');
  if (v.valueBlock.valueHexView.length !== 1 || v.valueBlock.valueDec !== 0) throw malformed('certificate request: version must be v1 (0)');

  const signatureAlgorithm = parseAlgorithmIdentifier(algBlock, 'signatureAlgorithm');
  const signature = expectType(sigBlock, asn1js.BitString, 'signature');
  if (signature.valueBlock.unusedBits !== 0) throw malformed('signature: BIT STRING must have no unused bits');
  const spki = raw(spkiBlock);
  // One key object serves both the description and the proof of possession.
  const key = publicKeyFromSpki(spki);
  const publicKey = describeKeyObject(key, spki);

  const ok = await verifierFor(signatureAlgorithm, key)(raw(infoBlock), signature.valueBlock.valueHexView);
  if (!ok) throw new SignetError(ErrorCode.BadSignature, 'certificate request signature does not verify (no proof of possession)');

  const extensions = attrsBlock === undefined ? [] : requestedExtensions(attrsBlock);
  return parsedRequest(der, () => decodeName(raw(subjectBlock), { strict: { field: 'subject' } }), extensions, publicKey, spki, signatureAlgorithm.oid);
}

/**
 * What both readers return once the request verified: its SANs decoded and
 * bounded, every name checked (checkNames), the extensions as base64. The
 * subject is decoded after the SAN count is checked, as the general path
 * always did.
 */
function parsedRequest(der: Buffer, subjectOf: () => ParsedCsr['subject'], extensions: RawExtension[], publicKey: ParsedCsr['publicKey'], spki: Buffer, signatureAlgorithm: string): ParsedCsr {
  const san = extensions.find((e) => e.oid === OID.subjectAltName);
  const subjectAltNames = san ? decodeSubjectAltName(san.value) : [];
  if (subjectAltNames.length > LIMITS.sanCount) {
    throw new SignetError(ErrorCode.TooLarge, `certificate request has more than ${LIMITS.sanCount} subject alternative names`);
  }
  const subject = subjectOf();
  checkNames(subject, subjectAltNames);
  return {
    der: Buffer.from(der),
    subject,
    subjectAltNames,
    publicKey,
    spki,
    extensions: extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64') })),
    signatureAlgorithm,
  };
}

/**
 * Every name a requester asks for is text that ends up in the database, the
 * policy's snapshot, logs and perhaps a certificate: none may hold a control
 * character (C0, DEL, C1) or be ill-formed Unicode. The field is named the
 * way policy rules name it: `subject.CN` (`subject.OU[1]` when the type
 * repeats), `san.dns[0]`.
 */
function checkNames(subject: Name, sans: San[]): void {
  const fields = nameFields(subject, 'subject');
  subject.forEach((rdn, i) => refuse(fields[i]!, textProblem(rdn.value)));
  const sanSeen = new Map<string, number>();
  for (const san of sans) {
    const i = sanSeen.get(san.type) ?? 0;
    sanSeen.set(san.type, i + 1);
    refuse(`san.${san.type}[${i}]`, textProblem(san.value));
  }
}

function refuse(field: string, problem: string | undefined): void {
  if (problem) throw malformed(`certificate request: ${field} ${problem}`, { field });
}

/** Original bytes of a decoded element. */
function raw(block: asn1js.AsnType | undefined): Buffer {
  if (block === undefined) throw malformed('certificate request: missing component');
  return Buffer.from((block as asn1js.BaseBlock).valueBeforeDecodeView);
}

/**
 *   Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
 *
 * Only extensionRequest (PKCS#9, RFC 2985 5.4.2) matters for issuance; other
 * attributes (challengePassword, Microsoft's enrolment data) are ignored.
 */
function requestedExtensions(attrs: asn1js.AsnType) {
  if (!isContextTag(attrs, 0)) throw malformed('CertificationRequestInfo: attributes must be [0]');
  const found = [];
  for (const attr of (attrs as asn1js.Constructed).valueBlock.value) {
    const [type, values] = children(attr, 'Attribute');
    if (oidOf(type, 'Attribute type') !== OID.extensionRequest) continue;
    found.push(values);
  }
  if (found.length === 0) return [];
  if (found.length > 1) throw malformed('certificate request: more than one extensionRequest attribute');
  if (!(found[0] instanceof asn1js.Set) || found[0].valueBlock.value.length !== 1) {
    throw malformed('extensionRequest: must hold exactly one Extensions value');
  }
  const exts = parseExtensions(found[0].valueBlock.value[0], 'extensionRequest');
  if (exts.length > LIMITS.extensionCount) {
    throw new SignetError(ErrorCode.TooLarge, `certificate request has more than ${LIMITS.extensionCount} extensions`);
  }
  // Base64 grows by 4/3; the limit is on what the bus carries.
  const big = exts.find((e) => Math.ceil(e.value.length / 3) * 4 > LIMITS.extensionValueChars);
  if (big) throw new SignetError(ErrorCode.TooLarge, `extension ${big.oid} is larger than ${LIMITS.extensionValueChars} base64 characters`);
  return exts;
}

/** The signature algorithms the direct reader takes: RSA PKCS#1 v1.5, ECDSA and EdDSA (RSA-PSS parameters go the general way). */
const DIRECT_SIGNATURES = new Set<string>([
  OID.sha256WithRSAEncryption,
  OID.sha384WithRSAEncryption,
  OID.sha512WithRSAEncryption,
  OID.ecdsaWithSHA256,
  OID.ecdsaWithSHA384,
  OID.ecdsaWithSHA512,
  OID.ed25519,
  OID.ed448,
]);
const RSA_PKCS1 = new Set<string>([OID.sha256WithRSAEncryption, OID.sha384WithRSAEncryption, OID.sha512WithRSAEncryption]);

/** What asn1js makes of these string types: UTF8String strictly decoded (BOM kept), the others one character per octet. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const STRING_TAGS = new Set([0x0c, 0x13, 0x16]);

/** More RDNs than this go the general way, which applies asn1js's node limit to them. */
const DIRECT_MAX_RDNS = 64;

function directName(buf: Buffer, e: Element): Name | undefined {
  if (e.tag !== 0x30) return undefined;
  const rdns = readChildren(buf, e, DIRECT_MAX_RDNS);
  if (!rdns) return undefined;
  const name: Name = [];
  for (const rdn of rdns) {
    const atvs = rdn.tag === 0x31 ? readChildren(buf, rdn, 1) : undefined;
    // Multi-valued RDNs (and empty ones) go the general way.
    if (!atvs || atvs.length !== 1 || atvs[0].tag !== 0x30) return undefined;
    const parts = readChildren(buf, atvs[0], 2);
    if (!parts || parts.length !== 2 || !STRING_TAGS.has(parts[1].tag)) return undefined;
    const oid = oidText(buf, parts[0]);
    if (oid === undefined) return undefined;
    const bytes = buf.subarray(parts[1].body, parts[1].end);
    let value: string;
    if (parts[1].tag === 0x0c) {
      try {
        value = utf8.decode(bytes);
      } catch {
        return undefined;
      }
    } else value = bytes.toString('latin1');
    name.push({ type: attributeShortName(oid), value });
  }
  return name;
}

/** Extensions of the extensionRequest, or undefined when they are not plain DER (duplicates, explicit FALSE, too many). */
function directExtensions(buf: Buffer, e: Element): RawExtension[] | undefined {
  if (e.tag !== 0x30) return undefined;
  const list = readChildren(buf, e, LIMITS.extensionCount);
  if (!list) return undefined;
  const out: RawExtension[] = [];
  for (const ext of list) {
    const parts = ext.tag === 0x30 ? readChildren(buf, ext, 3) : undefined;
    if (!parts || parts.length < 2) return undefined;
    const oid = oidText(buf, parts[0]);
    let critical = false;
    let i = 1;
    if (parts.length === 3) {
      const b = parts[1];
      if (b.tag !== 0x01 || b.end - b.body !== 1 || buf[b.body] !== 0xff) return undefined;
      critical = true;
      i = 2;
    }
    const value = parts[i];
    if (oid === undefined || value.tag !== 0x04 || out.some((x) => x.oid === oid)) return undefined;
    out.push({ oid, critical, value: Buffer.from(buf.subarray(value.body, value.end)) });
  }
  return out;
}

/**
 * A request in the shape every common client writes (OpenSSL, Go, the
 * library's own createCsr), read with the strict DER reader instead of an
 * asn1js tree and a pkijs schema walk: version 0, single-valued RDNs of
 * UTF8String/PrintableString/IA5String, a SubjectPublicKeyInfo, no
 * attribute but extensionRequest, a non-PSS signature algorithm. Returns
 * only a request the general path would accept with the same result (the
 * differential test holds them equal); undefined for everything else,
 * including every request that fails a check, so that the general path
 * produces the verdict and its message. Exported for the differential
 * test only (not from the library).
 */
export async function parseCommon(der: Buffer): Promise<ParsedCsr | undefined> {
  try {
    const root = readElement(der, 0, der.length);
    if (!root || root.tag !== 0x30 || root.end !== der.length) return undefined;
    const top = readChildren(der, root, 3);
    if (!top || top.length !== 3) return undefined;
    const [infoE, algE, sigE] = top;
    const info = infoE.tag === 0x30 ? readChildren(der, infoE, 4) : undefined;
    if (!info || info.length < 3) return undefined;
    const [versionE, subjectE, spkiE, attrsE] = info;
    if (versionE.tag !== 0x02 || versionE.end - versionE.body !== 1 || der[versionE.body] !== 0) return undefined;
    if (spkiE.tag !== 0x30) return undefined;

    // signatureAlgorithm: OID, with NULL parameters for RSA (or none), none for the others.
    const alg = algE.tag === 0x30 ? readChildren(der, algE, 2) : undefined;
    if (!alg || alg.length === 0) return undefined;
    const sigOid = oidText(der, alg[0]);
    if (sigOid === undefined || !DIRECT_SIGNATURES.has(sigOid)) return undefined;
    let params: asn1js.AsnType | undefined;
    if (alg.length === 2) {
      if (!RSA_PKCS1.has(sigOid) || alg[1].tag !== 0x05 || alg[1].end !== alg[1].body) return undefined;
      params = new asn1js.Null();
    }
    if (sigE.tag !== 0x03 || sigE.end - sigE.body < 2 || der[sigE.body] !== 0) return undefined;

    let extensions: RawExtension[] = [];
    if (attrsE !== undefined) {
      if (attrsE.tag !== 0xa0 || !isConstructed(attrsE)) return undefined;
      const attrs = readChildren(der, attrsE, 1);
      if (!attrs) return undefined;
      if (attrs.length === 1) {
        const attr = attrs[0].tag === 0x30 ? readChildren(der, attrs[0], 2) : undefined;
        if (!attr || attr.length !== 2 || oidText(der, attr[0]) !== OID.extensionRequest || attr[1].tag !== 0x31) return undefined;
        const values = readChildren(der, attr[1], 1);
        if (!values || values.length !== 1) return undefined;
        const exts = directExtensions(der, values[0]);
        if (!exts) return undefined;
        extensions = exts;
      }
    }
    if (extensions.some((e) => Math.ceil(e.value.length / 3) * 4 > LIMITS.extensionValueChars)) return undefined;
    const subject = directName(der, subjectE);
    if (!subject) return undefined;

    const spki = Buffer.from(der.subarray(spkiE.start, spkiE.end));
    const key = publicKeyFromSpki(spki);
    const publicKey = describeKeyObject(key, spki);
    const ok = await verifierFor({ oid: sigOid, params }, key)(der.subarray(infoE.start, infoE.end), der.subarray(sigE.body + 1, sigE.end));
    if (!ok) return undefined;

    // A refusal thrown here (too many SANs, a bad name) is caught below: the general path then gives the verdict.
    return parsedRequest(der, () => subject, extensions, publicKey, spki, sigOid);
  } catch {
    return undefined;
  }
}
