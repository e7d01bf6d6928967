import { createHash } from 'node:crypto';
import { ErrorCode, SignetError } from '@signet/contracts';
import { derSequence, tlv } from './der';
import { encodeName } from './names';
import { encodeValidity, wholeSeconds } from './validity';
import { encodeSignatureAlgorithm, decodeAlgorithmIdentifier, verifySignature } from './algorithms';
import { encodeExtensions } from './extension-list';
import { LintIssuer, LintOptions, lintCertificate } from './lint';
import { basicConstraintsOf, splitCertificate } from './inspect';
import type { CertificateSpec } from './certificate-spec';
import type { Signer } from './signer';

export type { CertificateSpec } from './certificate-spec';

export interface IssuerInfo {
  /** The CA certificate; the issuer name is copied byte-exact from its subject. */
  certificateDer: Buffer;
  signer: Signer;
}

/**
 * A linted, not yet signed certificate. Opaque and single-use: the bytes to
 * sign are held privately, so what gets signed is exactly what was linted.
 */
export interface PreparedCertificate {
  readonly serialHex: string;
  /** SHA-256 of the TBSCertificate, hex: lets logs tie the later certificate to this step. */
  readonly tbsSha256: string;
}

interface PreparedState {
  tbs: Buffer;
  signer: Signer;
  /** Key the certificate must verify with after signing. */
  issuerSpki: Buffer;
  used: boolean;
}

const prepared = new WeakMap<PreparedCertificate, PreparedState>();

/** Whole seconds: what lint sees is exactly what the certificate will say. */
function normalise(spec: CertificateSpec): CertificateSpec {
  return { ...spec, notBefore: new Date(wholeSeconds(spec.notBefore)), notAfter: new Date(wholeSeconds(spec.notAfter)) };
}

/** CertificateSerialNumber ::= INTEGER, minimal and positive. */
function encodeSerial(hex: string): Buffer {
  let bytes = Buffer.from(hex, 'hex');
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes[0] >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/**
 * TBSCertificate (RFC 5280 4.1) as v3:
 *
 *   TBSCertificate  ::=  SEQUENCE  {
 *        version         [0]  EXPLICIT Version DEFAULT v1,   -- v3(2)
 *        serialNumber         CertificateSerialNumber,
 *        signature            AlgorithmIdentifier,
 *        issuer               Name,
 *        validity             Validity,
 *        subject              Name,
 *        subjectPublicKeyInfo SubjectPublicKeyInfo,
 *        extensions      [3]  EXPLICIT Extensions OPTIONAL }
 *
 * Assembled from DER parts so the issuer name and the SPKI stay the exact
 * bytes we were given: relying parties chain by comparing them.
 */
function encodeTbs(spec: CertificateSpec, issuerNameDer: Buffer, signatureAlgorithmOid: string): Buffer {
  const parts = [
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    encodeSerial(spec.serialHex),
    encodeSignatureAlgorithm(signatureAlgorithmOid),
    issuerNameDer,
    encodeValidity(spec.notBefore, spec.notAfter),
    encodeName(spec.subject),
    spec.spki,
  ];
  // RFC 5280 4.1: "If present, this field is a SEQUENCE of one or more certificate extensions."
  if (spec.extensions.length > 0) parts.push(tlv(0xa3, encodeExtensions(spec.extensions)));
  return derSequence(parts);
}

function lintFailed(problems: string[]): SignetError {
  return new SignetError(ErrorCode.LintFailed, `certificate failed lint: ${problems.join('; ')}`, { problems });
}

/** Shared by CA-issued and self-signed certificates (internal: not exported from the library). */
export function prepareWith(
  specIn: CertificateSpec,
  issuerNameDer: Buffer,
  ca: LintIssuer,
  signer: Signer,
  opts: LintOptions = {},
): PreparedCertificate {
  const spec = normalise(specIn);
  // The issuer's dates are cut the same way, so a self-signed CA created "now" (with milliseconds) lints clean.
  const issuer = { ...ca, notBefore: new Date(wholeSeconds(ca.notBefore)), notAfter: new Date(wholeSeconds(ca.notAfter)) };
  const problems = lintCertificate(spec, issuer, opts);
  if (!signer.spki.equals(ca.spki)) problems.push('issuer: the signer key is not the key of the issuing certificate');
  if (problems.length > 0) throw lintFailed(problems);
  const tbs = encodeTbs(spec, issuerNameDer, signer.signatureAlgorithmOid);
  const token: PreparedCertificate = Object.freeze({
    serialHex: spec.serialHex,
    tbsSha256: createHash('sha256').update(tbs).digest('hex'),
  });
  prepared.set(token, { tbs, signer, issuerSpki: Buffer.from(ca.spki), used: false });
  return token;
}

/**
 * Step one of issuance: build the TBSCertificate and lint it. Throws
 * SignetError(LintFailed) with `details.problems` when lint finds anything;
 * nothing is signed in that case. `opts.keyInfo` is the subject key as the
 * policy saw it (derived from spec.spki when absent); the certificate is an
 * end entity unless `opts.caAllowed` (ADR 0023).
 */
export function prepareCertificate(spec: CertificateSpec, issuer: IssuerInfo, opts: LintOptions = {}): PreparedCertificate {
  const ca = splitCertificate(issuer.certificateDer);
  const constraints = basicConstraintsOf(ca);
  const lintIssuer: LintIssuer = { notBefore: ca.notBefore, notAfter: ca.notAfter, spki: ca.spki, isCa: constraints.ca, pathLength: constraints.pathLength };
  return prepareWith(spec, ca.subjectDer, lintIssuer, issuer.signer, opts);
}

/**
 * Step two: sign exactly the prepared bytes, assemble the Certificate and
 * check the signature with the issuer's public key before handing it out
 * (a faulty HSM or key mix-up must not produce a certificate nobody can
 * verify). A token can be issued once; a second call throws.
 */
export async function issueCertificate(token: PreparedCertificate): Promise<Buffer> {
  const state = prepared.get(token);
  if (!state) throw new SignetError(ErrorCode.Internal, 'issueCertificate: unknown prepared certificate');
  // Marked before the first await so two concurrent calls cannot both sign.
  if (state.used) throw new SignetError(ErrorCode.Internal, 'issueCertificate: this prepared certificate was already used');
  state.used = true;

  const algDer = encodeSignatureAlgorithm(state.signer.signatureAlgorithmOid);
  const signature = await state.signer.sign(state.tbs);
  //   Certificate  ::=  SEQUENCE  { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  const cert = derSequence([state.tbs, algDer, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]);
  const ok = await verifySignature(decodeAlgorithmIdentifier(algDer, 'signatureAlgorithm'), state.issuerSpki, state.tbs, signature);
  if (!ok) throw new SignetError(ErrorCode.Internal, 'issued certificate does not verify with the issuer key');
  return cert;
}
