/* The CSR parser as it was before ADR 0038 (asn1js tree, pkijs schema check, two key objects per request): the benchmark's and the differential test's reference. Not part of the library's build. */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorCode, LIMITS, SignetError, textProblem } from '@signet/contracts';
import type { Name, San } from '@signet/contracts';
import { OID } from '../oids';
import { children, describeThrown, expectType, isContextTag, malformed, oidOf, parseDer } from '../der';
import { initCrypto } from '../engine';
import { decodeName, nameFields } from '../names';
import { describeKeyObject } from '../public-key';
import { derPublicKey } from './reference-key';
import { parseAlgorithmIdentifier, verifierFor } from '../algorithms';
import { parseExtensions } from '../extension-list';
import { decodeSubjectAltName } from '../extensions';

import type { ParsedCsr } from '../csr';

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
export async function referenceParseCsr(der: Buffer): Promise<ParsedCsr> {
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
  const publicKey = describeKeyObject(derPublicKey(spki), spki);

  const ok = await verifierFor(signatureAlgorithm, derPublicKey(spki))(raw(infoBlock), signature.valueBlock.valueHexView);
  if (!ok) throw new SignetError(ErrorCode.BadSignature, 'certificate request signature does not verify (no proof of possession)');

  const extensions = attrsBlock === undefined ? [] : requestedExtensions(attrsBlock);
  const san = extensions.find((e) => e.oid === OID.subjectAltName);
  const subjectAltNames = san ? decodeSubjectAltName(san.value) : [];
  if (subjectAltNames.length > LIMITS.sanCount) {
    throw new SignetError(ErrorCode.TooLarge, `certificate request has more than ${LIMITS.sanCount} subject alternative names`);
  }
  const subject = decodeName(raw(subjectBlock), { strict: { field: 'subject' } });
  checkNames(subject, subjectAltNames);
  return {
    der: Buffer.from(der),
    subject,
    subjectAltNames,
    publicKey,
    spki,
    extensions: extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64') })),
    signatureAlgorithm: signatureAlgorithm.oid,
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
