import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Name } from '@signet/contracts';
import { OID } from './oids';
import { children, expectType, isContextTag, malformed, parseDer } from './der';
import { initCrypto } from './engine';
import { decodeName } from './names';
import { AlgorithmId, parseAlgorithmIdentifier, verifySignature } from './algorithms';
import { RawExtension, parseExtensions } from './extension-list';
import { decodeBasicConstraints, type BasicConstraints } from './extensions';

export interface CertificateSummary {
  serialHex: string;
  subject: Name;
  issuer: Name;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo, byte-exact. */
  spki: Buffer;
  extensions: RawExtension[];
  /** SHA-256 of the whole certificate DER, hex (the usual fingerprint). */
  sha256: string;
  /** OID of the outer signatureAlgorithm. */
  signatureAlgorithm: string;
}

/** The parts of a certificate as their original bytes, for byte-exact reuse. */
export interface CertificateParts {
  tbs: Buffer;
  serial: Buffer;
  issuerDer: Buffer;
  subjectDer: Buffer;
  spki: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: RawExtension[];
  innerAlgorithm: AlgorithmId;
  innerAlgorithmDer: Buffer;
  signatureAlgorithm: AlgorithmId;
  signatureAlgorithmDer: Buffer;
  signature: Buffer;
}

const raw = (b: asn1js.AsnType): Buffer => Buffer.from((b as asn1js.BaseBlock).valueBeforeDecodeView);

function time(block: asn1js.AsnType | undefined, what: string): Date {
  if (block instanceof asn1js.GeneralizedTime || block instanceof asn1js.UTCTime) return block.toDate();
  throw malformed(`${what}: expected UTCTime or GeneralizedTime`);
}

/**
 * RFC 5280 4.1:
 *
 *   Certificate  ::=  SEQUENCE  {
 *        tbsCertificate       TBSCertificate,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 *
 *   TBSCertificate  ::=  SEQUENCE  {
 *        version         [0]  EXPLICIT Version DEFAULT v1,
 *        serialNumber         CertificateSerialNumber,
 *        signature            AlgorithmIdentifier,
 *        issuer               Name,
 *        validity             Validity,
 *        subject              Name,
 *        subjectPublicKeyInfo SubjectPublicKeyInfo,
 *        issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
 *        subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
 *        extensions      [3]  EXPLICIT Extensions OPTIONAL }
 */
export function splitCertificate(der: Buffer): CertificateParts {
  initCrypto();
  const root = parseDer(der, 'certificate');
  try {
    // pkijs checks the overall schema; the fields are read below from the original tree.
    new pkijs.Certificate({ schema: root });
  } catch (e) {
    throw malformed(`not an X.509 certificate (${(e as Error).message})`);
  }
  const [tbsBlock, algBlock, sigBlock] = children(root, 'Certificate');
  const fields = children(tbsBlock, 'TBSCertificate');
  let i = isContextTag(fields[0], 0) ? 1 : 0;
  const serial = expectType(fields[i++], asn1js.Integer, 'serialNumber');
  const innerAlgBlock = fields[i++];
  const issuer = fields[i++];
  const [notBefore, notAfter] = children(fields[i++], 'Validity');
  const subject = fields[i++];
  const spki = fields[i++];
  let extensions: RawExtension[] = [];
  for (; i < fields.length; i++) {
    if (isContextTag(fields[i], 3)) {
      const inner = (fields[i] as asn1js.Constructed).valueBlock.value;
      if (inner.length !== 1) throw malformed('extensions: [3] must hold one SEQUENCE');
      extensions = parseExtensions(inner[0], 'extensions');
    }
  }
  const signature = expectType(sigBlock, asn1js.BitString, 'signatureValue');
  if (signature.valueBlock.unusedBits !== 0) throw malformed('signatureValue: BIT STRING must have no unused bits');
  return {
    tbs: raw(tbsBlock),
    serial: Buffer.from(serial.valueBlock.valueHexView),
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    spki: raw(spki),
    notBefore: time(notBefore, 'notBefore'),
    notAfter: time(notAfter, 'notAfter'),
    extensions,
    innerAlgorithm: parseAlgorithmIdentifier(innerAlgBlock, 'signature'),
    innerAlgorithmDer: raw(innerAlgBlock),
    signatureAlgorithm: parseAlgorithmIdentifier(algBlock, 'signatureAlgorithm'),
    signatureAlgorithmDer: raw(algBlock),
    signature: Buffer.from(signature.valueBlock.valueHexView),
  };
}

/** Serial as hex of its value: the 00 that only keeps the INTEGER positive is dropped. */
function serialHex(content: Buffer): string {
  const s = content.length > 1 && content[0] === 0 && content[1] >= 0x80 ? content.subarray(1) : content;
  return s.toString('hex');
}

export function parseCertificate(der: Buffer): CertificateSummary {
  const p = splitCertificate(der);
  return {
    serialHex: serialHex(p.serial),
    subject: decodeName(p.subjectDer),
    issuer: decodeName(p.issuerDer),
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    spki: p.spki,
    extensions: p.extensions,
    sha256: createHash('sha256').update(der).digest('hex'),
    signatureAlgorithm: p.signatureAlgorithm.oid,
  };
}

/** The certificate's basicConstraints (cA FALSE when it has none). */
export function basicConstraintsOf(parts: Pick<CertificateParts, 'extensions'>): BasicConstraints {
  const bc = parts.extensions.find((e) => e.oid === OID.basicConstraints);
  return bc ? decodeBasicConstraints(bc.value) : { ca: false };
}

/**
 * Whether `certDer` is signed by the key of `issuerDer`. Only the signature:
 * names, validity and constraints are path validation's job. False as well
 * when the inner and outer signature algorithms differ (RFC 5280 4.1.1.2
 * requires them equal, and a mismatch is a known substitution trick).
 */
export async function verifyCertificateSignature(certDer: Buffer, issuerDer: Buffer): Promise<boolean> {
  const cert = splitCertificate(certDer);
  const issuer = splitCertificate(issuerDer);
  if (!cert.innerAlgorithmDer.equals(cert.signatureAlgorithmDer)) return false;
  return verifySignature(cert.signatureAlgorithm, issuer.spki, cert.tbs, cert.signature);
}
