import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { Name } from '@signet/contracts';
import { ErrorCode, SignetError } from '@signet/contracts';
import { contextConstructed, derSequence, implicitPrimitive, malformed as malformedSan, tlv, toDer } from '../der';
import { textProblem, type San } from '@signet/contracts';
import { ipToBytes } from '../extensions/ip-address';
import { attributeTypeOid, ATTRIBUTE_TYPES } from '../oids';
import { validateName } from '../names';
import { encodeValidity, wholeSeconds } from '../validity';
import { decodeAlgorithmIdentifier, verifierFor } from '../algorithms';
import { derPublicKey } from './reference-key';
import { LintIssuer, LintOptions, lintCertificate } from '../lint';
import { basicConstraintsOf, splitCertificate } from '../inspect';
import type { CertificateSpec } from '../certificate-spec';
import type { RawExtension } from '../extension-list';
import type { Signer } from '../signer';
import { OID } from '../oids';

/**
 * The issuance path as it was before the prepared issuer (ADR 0038), kept
 * only as the reference the differential test and the signing benchmark
 * compare the production path with: every call parses the CA certificate,
 * every structure is built as an asn1js object tree and encoded by asn1js,
 * and the signature is checked with a key object made from the CA's
 * SubjectPublicKeyInfo each time. Not part of the library's build.
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

/** Name as asn1js encodes it: a SEQUENCE of single-valued RDN SETs. */
export function referenceEncodeName(name: Name): Buffer {
  validateName(name);
  return toDer(
    new asn1js.Sequence({
      value: name.map((rdn) => {
        const oid = attributeTypeOid(rdn.type) as string;
        return new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), attributeValue(oid, rdn.value)] })] });
      }),
    }),
  );
}

export function referenceEncodeExtensions(exts: RawExtension[]): Buffer {
  return toDer(
    new asn1js.Sequence({
      value: exts.map((ext) => {
        const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: ext.oid })];
        if (ext.critical) value.push(new asn1js.Boolean({ value: true }));
        value.push(new asn1js.OctetString({ valueHex: ext.value }));
        return new asn1js.Sequence({ value });
      }),
    }),
  );
}

export function referenceEncodeSignatureAlgorithm(oid: string): Buffer {
  const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (oid === OID.sha256WithRSAEncryption || oid === OID.sha384WithRSAEncryption || oid === OID.sha512WithRSAEncryption) value.push(new asn1js.Null());
  return toDer(new asn1js.Sequence({ value }));
}

function normalise(spec: CertificateSpec): CertificateSpec {
  return { ...spec, notBefore: new Date(wholeSeconds(spec.notBefore)), notAfter: new Date(wholeSeconds(spec.notAfter)) };
}

function encodeSerial(hex: string): Buffer {
  let bytes = Buffer.from(hex, 'hex');
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes[0] >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** TBSCertificate from a spec, the issuer name and the signature algorithm, all through asn1js. */
export function referenceEncodeTbs(spec: CertificateSpec, issuerNameDer: Buffer, signatureAlgorithmOid: string): Buffer {
  const parts = [
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    encodeSerial(spec.serialHex),
    referenceEncodeSignatureAlgorithm(signatureAlgorithmOid),
    issuerNameDer,
    encodeValidity(spec.notBefore, spec.notAfter),
    referenceEncodeName(spec.subject),
    spec.spki,
  ];
  if (spec.extensions.length > 0) parts.push(tlv(0xa3, referenceEncodeExtensions(spec.extensions)));
  return derSequence(parts);
}

export interface ReferencePrepared {
  serialHex: string;
  tbs: Buffer;
  tbsSha256: string;
  signer: Signer;
  issuerSpki: Buffer;
}

/** The old prepareCertificate: parses the CA certificate, lints, encodes. */
export function referencePrepare(specIn: CertificateSpec, issuer: { certificateDer: Buffer; signer: Signer }, opts: LintOptions = {}): ReferencePrepared {
  const ca = splitCertificate(issuer.certificateDer);
  const constraints = basicConstraintsOf(ca);
  const lintIssuer: LintIssuer = { notBefore: ca.notBefore, notAfter: ca.notAfter, spki: ca.spki, isCa: constraints.ca, pathLength: constraints.pathLength };
  const spec = normalise(specIn);
  const li = { ...lintIssuer, notBefore: new Date(wholeSeconds(lintIssuer.notBefore)), notAfter: new Date(wholeSeconds(lintIssuer.notAfter)) };
  const problems = lintCertificate(spec, li, opts);
  if (!issuer.signer.spki.equals(ca.spki)) problems.push('issuer: the signer key is not the key of the issuing certificate');
  if (problems.length > 0) throw new SignetError(ErrorCode.LintFailed, `certificate failed lint: ${problems.join('; ')}`, { problems });
  const tbs = referenceEncodeTbs(spec, ca.subjectDer, issuer.signer.signatureAlgorithmOid);
  return { serialHex: spec.serialHex, tbs, tbsSha256: createHash('sha256').update(tbs).digest('hex'), signer: issuer.signer, issuerSpki: Buffer.from(ca.spki) };
}

/** The old issueCertificate: sign, assemble, verify with a key object made from the SPKI. */
export async function referenceIssue(p: ReferencePrepared): Promise<Buffer> {
  const algDer = referenceEncodeSignatureAlgorithm(p.signer.signatureAlgorithmOid);
  const signature = await p.signer.sign(p.tbs);
  const cert = derSequence([p.tbs, algDer, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]);
  const ok = await verifierFor(decodeAlgorithmIdentifier(algDer, 'signatureAlgorithm'), derPublicKey(p.issuerSpki))(p.tbs, signature);
  if (!ok) throw new SignetError(ErrorCode.Internal, 'issued certificate does not verify with the issuer key');
  return cert;
}

// The subjectAltName encoder before ADR 0038 (asn1js tree), for the differential test.
function ia5Reference(tag: number, san: San): asn1js.Primitive {
  // Names the problem, never the value: it may be what is wrong.
  if (!IA5.test(san.value)) throw malformedSan(`subjectAltName ${san.type}: not ASCII (IA5String)`);
  return implicitPrimitive(tag, Buffer.from(san.value, 'ascii'));
}

function referenceGeneralName(san: San): asn1js.AsnType {
  // A name Signet writes never carries a control character (ADR 0022).
  const problem = san.type === 'ip' ? undefined : textProblem(san.value);
  if (problem) throw malformedSan(`subjectAltName ${san.type} ${problem}`);
  switch (san.type) {
    case 'dns':
      return ia5Reference(TAG.dNSName, san);
    case 'email':
      return ia5Reference(TAG.rfc822Name, san);
    case 'uri':
      return ia5Reference(TAG.uri, san);
    case 'ip':
      return implicitPrimitive(TAG.iPAddress, ipToBytes(san.value));
    case 'upn':
      // Microsoft's UPN otherName carries a UTF8String.
      return contextConstructed(TAG.otherName, [
        new asn1js.ObjectIdentifier({ value: OID.upn }),
        contextConstructed(0, [new asn1js.Utf8String({ value: san.value })]),
      ]);
    default:
      throw malformedSan(`subjectAltName: unsupported type "${(san as { type: string }).type}"`);
  }
}

/** DER of GeneralNames for a subjectAltName extnValue, in the given order. */
export function referenceEncodeSubjectAltName(sans: San[]): Buffer {
  if (sans.length === 0) throw malformedSan('subjectAltName: at least one name is required (SIZE 1..MAX)');
  return toDer(new asn1js.Sequence({ value: sans.map(referenceGeneralName) }));
}


const TAG = { otherName: 0, rfc822Name: 1, dNSName: 2, uri: 6, iPAddress: 7 } as const;
// eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose
const IA5 = /^[\x00-\x7f]*$/;
