import { createHash } from 'node:crypto';
import { ErrorCode, SignetError } from '@signet/contracts';
import { derSequence, tlv, tlvOf } from './der';
import { encodeName } from './names';
import { encodeValidity, wholeSeconds } from './validity';
import { encodeSignatureAlgorithm, verifierFor, type Verifier } from './algorithms';
import { encodeExtensions, type RawExtension } from './extension-list';
import { LintIssuer, LintOptions, lintCertificate } from './lint';
import { basicConstraintsOf, splitCertificate } from './inspect';
import { publicKeyFromSpki } from './public-key';
import { encodeAuthorityKeyIdentifier, subjectKeyIdentifier } from './extensions';
import { OID } from './oids';
import type { CertificateSpec } from './certificate-spec';
import type { Signer } from './signer';

export type { CertificateSpec } from './certificate-spec';

export interface IssuerInfo {
  /** The CA certificate; the issuer name is copied byte-exact from its subject. */
  certificateDer: Buffer;
  signer: Signer;
}

/**
 * The issuing CA made ready once, when its key is loaded (ADR 0038): the CA
 * certificate parsed, its subject kept as the issuer Name DER, the facts
 * lint checks against, the signature AlgorithmIdentifier, the
 * authorityKeyIdentifier every certificate carries, and the CA's public key
 * object that checks each signature. Nothing here changes per certificate,
 * so nothing is parsed, encoded or created per certificate.
 */
export interface PreparedIssuer {
  /** The CA certificate, as given. */
  readonly certificateDer: Buffer;
  /** subjectKeyIdentifier of the CA key (RFC 5280 4.2.1.2 method 1). */
  readonly keyId: Buffer;
  /** The authorityKeyIdentifier extension naming the CA key, encoded once. */
  readonly authorityKeyIdentifier: Readonly<RawExtension>;
}

/** What a prepared issuer holds privately. */
interface IssuerState {
  nameDer: Buffer;
  lint: LintIssuer;
  signer: Signer;
  /** Set when the signer's key is not the certificate's: every certificate then fails lint with it. */
  keyProblem?: string;
  signatureAlgorithmDer: Buffer;
  /** The CA public key, as a key object made once, checking this signer's algorithm. */
  verify: Verifier;
}

const issuers = new WeakMap<PreparedIssuer, IssuerState>();

/** The issuer's dates cut to whole seconds, so a self-signed CA created "now" (with milliseconds) lints clean. */
function issuerState(nameDer: Buffer, ca: LintIssuer, signer: Signer): IssuerState {
  const spki = Buffer.from(ca.spki);
  const keyId = ca.keyId ?? subjectKeyIdentifier(spki);
  const lint: LintIssuer = { ...ca, spki, keyId, notBefore: new Date(wholeSeconds(ca.notBefore)), notAfter: new Date(wholeSeconds(ca.notAfter)) };
  const signatureAlgorithmDer = encodeSignatureAlgorithm(signer.signatureAlgorithmOid);
  return {
    nameDer: Buffer.from(nameDer),
    lint,
    signer,
    keyProblem: signer.spki.equals(spki) ? undefined : 'issuer: the signer key is not the key of the issuing certificate',
    signatureAlgorithmDer,
    verify: verifierFor({ oid: signer.signatureAlgorithmOid }, publicKeyFromSpki(spki)),
  };
}

function freeze(certificateDer: Buffer, state: IssuerState): PreparedIssuer {
  const keyId = state.lint.keyId!;
  const issuer: PreparedIssuer = Object.freeze({
    certificateDer,
    keyId,
    authorityKeyIdentifier: Object.freeze({ oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(keyId) }),
  });
  issuers.set(issuer, state);
  return issuer;
}

/**
 * Parse the CA certificate and set up everything that issuing under it
 * needs, once. MalformedRequest when the certificate cannot be read.
 */
export function prepareIssuer(info: IssuerInfo): PreparedIssuer {
  const ca = splitCertificate(info.certificateDer);
  const constraints = basicConstraintsOf(ca);
  const lint: LintIssuer = { notBefore: ca.notBefore, notAfter: ca.notAfter, spki: ca.spki, isCa: constraints.ca, pathLength: constraints.pathLength };
  return freeze(Buffer.from(info.certificateDer), issuerState(ca.subjectDer, lint, info.signer));
}

function isPrepared(issuer: PreparedIssuer | IssuerInfo): issuer is PreparedIssuer {
  return issuers.has(issuer as PreparedIssuer);
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
  issuer: IssuerState;
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
  return bytes[0] >= 0x80 ? tlvOf(0x02, [ZERO, bytes]) : tlv(0x02, bytes);
}

const ZERO = Buffer.from([0]);
/** [0] EXPLICIT Version v3(2). */
const VERSION_V3 = Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]);

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
function encodeTbs(spec: CertificateSpec, issuer: IssuerState): Buffer {
  const parts = [
    VERSION_V3,
    encodeSerial(spec.serialHex),
    issuer.signatureAlgorithmDer,
    issuer.nameDer,
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

function prepareUnder(specIn: CertificateSpec, issuer: IssuerState, opts: LintOptions): PreparedCertificate {
  const spec = normalise(specIn);
  const problems = lintCertificate(spec, issuer.lint, opts);
  if (issuer.keyProblem) problems.push(issuer.keyProblem);
  if (problems.length > 0) throw lintFailed(problems);
  // Encoded from exactly the spec lint saw: the same extension values, subject, key and dates.
  const tbs = encodeTbs(spec, issuer);
  const token: PreparedCertificate = Object.freeze({
    serialHex: spec.serialHex,
    tbsSha256: createHash('sha256').update(tbs).digest('hex'),
  });
  prepared.set(token, { tbs, issuer, used: false });
  return token;
}

/** For a self-signed certificate, whose issuer is itself (internal: not exported from the library). */
export function prepareWith(spec: CertificateSpec, issuerNameDer: Buffer, ca: LintIssuer, signer: Signer, opts: LintOptions = {}): PreparedCertificate {
  return prepareUnder(spec, issuerState(issuerNameDer, ca, signer), opts);
}

/**
 * Step one of issuance: build the TBSCertificate and lint it. Throws
 * SignetError(LintFailed) with `details.problems` when lint finds anything;
 * nothing is signed in that case. `opts.keyInfo` is the subject key as the
 * policy saw it (derived from spec.spki when absent); the certificate is an
 * end entity unless `opts.caAllowed` (ADR 0023). Give a PreparedIssuer
 * (prepareIssuer, once per CA key): with a bare IssuerInfo the CA
 * certificate is parsed again on every call.
 */
export function prepareCertificate(spec: CertificateSpec, issuer: PreparedIssuer | IssuerInfo, opts: LintOptions = {}): PreparedCertificate {
  const ready = isPrepared(issuer) ? issuer : prepareIssuer(issuer);
  return prepareUnder(spec, issuers.get(ready)!, opts);
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

  const { signer, signatureAlgorithmDer, verify } = state.issuer;
  const signature = await signer.sign(state.tbs);
  //   Certificate  ::=  SEQUENCE  { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  const cert = derSequence([state.tbs, signatureAlgorithmDer, tlvOf(0x03, [ZERO, signature])]);
  const ok = await verify(state.tbs, signature);
  if (!ok) throw new SignetError(ErrorCode.Internal, 'issued certificate does not verify with the issuer key');
  return cert;
}
