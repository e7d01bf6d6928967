import * as asn1js from 'asn1js';
import { ErrorCode, SignetError } from '@signet/contracts';
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { children, derSequence, isContextTag, malformed, oidOf, parseDer, tlv } from '../der';
import { splitCertificate } from '../inspect';
import { SCEP_DIGESTS, SCEP_OID, ScepFailInfo, ScepMessageType, ScepPkiStatus, type ScepCipher } from './constants';
import { explicitInner, intDer, nullDer, octetsDer, octetsOf, oidDer, printableDer, rawOf, setDer, setOfDer } from './der-parts';
import { sealScepEnvelope } from './envelope';

type Digest = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** What the signed layer of a client's pkiMessage says (RFC 8894 3.2). */
export interface ScepSignedRequest {
  /** The messageType attribute as sent (PKCSReq 19, RenewalReq 17, CertPoll 20, GetCert 21, GetCRL 22, or anything else). */
  messageType: number;
  transactionId: string;
  senderNonce: Buffer;
  /** The certificate that signed the message: self-signed for PKCSReq, one of this CA's for RenewalReq. */
  signerCertificate: Buffer;
  /** The digest the signer used; the CertRep answers with the same. */
  digest: Digest;
  /** The pkcsPKIEnvelope (DER), absent when the message carries no content. */
  envelope?: Buffer;
  /** Whether the signature and messageDigest hold for the signer certificate's key. */
  signatureValid: boolean;
  /** A CertRep's pkiStatus, failInfo and recipientNonce (for clients and tests reading one). */
  pkiStatus?: number;
  failInfo?: number;
  recipientNonce?: Buffer;
}

/** Limits on what the signed layer may carry. */
const MAX_TRANSACTION_ID = 256;
const NONCE_LENGTHS = { min: 8, max: 64 };

/**
 * Reads the signed layer of a SCEP pkiMessage:
 *
 *   ContentInfo { signedData, [0] SignedData {
 *     version, digestAlgorithms, encapContentInfo { data, [0] OCTET STRING pkcsPKIEnvelope },
 *     [0] certificates, [1] crls OPTIONAL, signerInfos SET SIZE (1) } }
 *
 * Throws MALFORMED_REQUEST when it is not one (there is nothing to answer a
 * CertRep to: no transactionID or nonce). A message that has them but does
 * not verify comes back with `signatureValid: false`, so the caller can
 * answer FAILURE badMessageCheck to it.
 */
export function readScepRequest(der: Buffer): ScepSignedRequest {
  try {
    return readSigned(der);
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw malformed(`SCEP message: ${(e as Error).message}`);
  }
}

function readSigned(der: Buffer): ScepSignedRequest {
  const [type, wrapped] = children(parseDer(der, 'SCEP message'), 'ContentInfo');
  if (oidOf(type, 'ContentInfo contentType') !== SCEP_OID.signedData) throw malformed('SCEP message: contentType must be signedData');
  const fields = children(explicitInner(wrapped, 0, 'ContentInfo content'), 'SignedData');
  if (fields.length < 4) throw malformed('SignedData: too few fields');
  const encap = children(fields[2], 'encapContentInfo');
  if (oidOf(encap[0], 'eContentType') !== SCEP_OID.data) throw malformed('encapContentInfo: eContentType must be data');
  const content = encap.length > 1 ? octetsOf(explicitInner(encap[1], 0, 'eContent'), 'eContent') : undefined;
  let i = 3;
  let certificates: Buffer[] = [];
  if (isContextTag(fields[i], 0)) certificates = (fields[i++] as asn1js.Constructed).valueBlock.value.map(rawOf);
  if (isContextTag(fields[i], 1)) i++;
  const signers = children(fields[i], 'signerInfos');
  if (signers.length !== 1) throw malformed(`signerInfos: a SCEP message has one signer, not ${signers.length}`);
  const si = children(signers[0], 'SignerInfo');
  if (si.length < 5 || !isContextTag(si[3], 0)) throw malformed('SignerInfo: signedAttrs are required');
  const digestOid = oidOf(children(si[2], 'digestAlgorithm')[0], 'digestAlgorithm');
  const digest = SCEP_DIGESTS[digestOid];
  const attrs = attributesOf(si[3] as asn1js.Constructed);
  const signatureAlgorithm = oidOf(children(si[4], 'signatureAlgorithm')[0], 'signatureAlgorithm');
  const signature = octetsOf(si[5], 'signature');

  const messageType = Number(requiredText(attrs, SCEP_OID.messageType, 'messageType'));
  const transactionId = requiredText(attrs, SCEP_OID.transactionId, 'transactionID');
  if (transactionId.length === 0 || transactionId.length > MAX_TRANSACTION_ID) throw malformed(`transactionID: 1 to ${MAX_TRANSACTION_ID} characters`);
  const senderNonce = octetsOf(single(attrs, SCEP_OID.senderNonce, 'senderNonce'), 'senderNonce');
  if (senderNonce.length < NONCE_LENGTHS.min || senderNonce.length > NONCE_LENGTHS.max) throw malformed(`senderNonce: ${NONCE_LENGTHS.min} to ${NONCE_LENGTHS.max} octets`);
  const signerCertificate = signerOf(si[1], certificates);
  const reply = {
    ...(attrs.has(SCEP_OID.pkiStatus) ? { pkiStatus: Number(requiredText(attrs, SCEP_OID.pkiStatus, 'pkiStatus')) } : {}),
    ...(attrs.has(SCEP_OID.failInfo) ? { failInfo: Number(requiredText(attrs, SCEP_OID.failInfo, 'failInfo')) } : {}),
    ...(attrs.has(SCEP_OID.recipientNonce) ? { recipientNonce: octetsOf(attrs.get(SCEP_OID.recipientNonce), 'recipientNonce') } : {}),
  };
  if (!digest) {
    // Answerable (the attributes are there), but not verifiable here.
    return { messageType, transactionId, senderNonce, signerCertificate, digest: 'sha256', envelope: content, signatureValid: false, ...reply };
  }

  const messageDigest = attrs.get(SCEP_OID.messageDigest);
  const contentType = attrs.get(SCEP_OID.contentType);
  const digestHolds =
    messageDigest !== undefined &&
    contentType !== undefined &&
    oidOf(contentType, 'contentType attribute') === SCEP_OID.data &&
    octetsOf(messageDigest, 'messageDigest').equals(createHash(digest).update(content ?? Buffer.alloc(0)).digest());
  // The signature is over the DER of the attributes as a SET OF (RFC 5652 5.4): the [0] tag becomes SET's.
  const signed = rawOf(si[3]);
  signed[0] = 0x31;
  const signatureValid = digestHolds && verifies(signatureAlgorithm, digest, signerCertificate, signed, signature);
  return { messageType, transactionId, senderNonce, signerCertificate, digest, envelope: content, signatureValid, ...reply };
}

/** signedAttrs by type; each must have exactly one value and appear once. */
function attributesOf(block: asn1js.Constructed): Map<string, asn1js.AsnType> {
  const out = new Map<string, asn1js.AsnType>();
  for (const attr of block.valueBlock.value) {
    const [type, values] = children(attr, 'Attribute');
    const oid = oidOf(type, 'Attribute type');
    const vs = children(values, `attribute ${oid}`);
    if (vs.length !== 1) throw malformed(`attribute ${oid}: must have exactly one value`);
    if (out.has(oid)) throw malformed(`attribute ${oid}: appears twice`);
    out.set(oid, vs[0]);
  }
  return out;
}

function single(attrs: Map<string, asn1js.AsnType>, oid: string, what: string): asn1js.AsnType {
  const v = attrs.get(oid);
  if (v === undefined) throw malformed(`SCEP message: the ${what} attribute is missing`);
  return v;
}

/** A string attribute (PrintableString as RFC 8894 says; UTF8String and IA5String from lenient clients). */
function requiredText(attrs: Map<string, asn1js.AsnType>, oid: string, what: string): string {
  const v = single(attrs, oid, what);
  if (v instanceof asn1js.PrintableString || v instanceof asn1js.Utf8String || v instanceof asn1js.IA5String) return v.valueBlock.value;
  throw malformed(`${what}: expected PrintableString`);
}

/** The certificate the SignerIdentifier names: by issuer and serial, or by subjectKeyIdentifier. */
function signerOf(sid: asn1js.AsnType, certificates: Buffer[]): Buffer {
  for (const der of certificates) {
    let parts;
    try {
      parts = splitCertificate(der);
    } catch {
      continue;
    }
    if (sid instanceof asn1js.Sequence) {
      const [issuer, serial] = children(sid, 'IssuerAndSerialNumber');
      if (issuer && serial instanceof asn1js.Integer && rawOf(issuer).equals(parts.issuerDer) && Buffer.from(serial.valueBlock.valueHexView).equals(parts.serial)) return der;
    } else if (isContextTag(sid, 0)) {
      const ski = parts.extensions.find((e) => e.oid === '2.5.29.14');
      const wanted = Buffer.from(((sid as asn1js.BaseBlock).valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
      if (ski && octetsOf(parseDer(ski.value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier').equals(wanted)) return der;
    }
  }
  throw malformed('SignerInfo: the signer certificate is not in the message');
}

const SIGNATURE_HASH: Readonly<Record<string, Digest | 'from-digest'>> = {
  [SCEP_OID.rsaEncryption]: 'from-digest',
  [SCEP_OID.sha1WithRsa]: 'sha1',
  [SCEP_OID.sha256WithRsa]: 'sha256',
  [SCEP_OID.sha384WithRsa]: 'sha384',
  [SCEP_OID.sha512WithRsa]: 'sha512',
  [SCEP_OID.ecdsaWithSha256]: 'sha256',
  [SCEP_OID.ecdsaWithSha384]: 'sha384',
  [SCEP_OID.ecdsaWithSha512]: 'sha512',
};

function verifies(algorithm: string, digest: Digest, certificate: Buffer, data: Buffer, signature: Buffer): boolean {
  const hash = SIGNATURE_HASH[algorithm];
  if (!hash) return false;
  try {
    const key = createPublicKey({ key: splitCertificate(certificate).spki, format: 'der', type: 'spki' });
    return verify(hash === 'from-digest' ? digest : hash, data, key, signature);
  } catch {
    return false;
  }
}

/** What a PKCSReq or RenewalReq's PKCS#10 says that the RA needs before ca-core sees it. */
export interface ScepCsrInfo {
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** The challengePassword attribute (PKCS#9), if present. */
  challengePassword?: string;
}

/**
 * The public key and the challengePassword of a PKCS#10 request (RFC 2986):
 *   CertificationRequestInfo ::= SEQUENCE { version, subject, subjectPKInfo, [0] attributes }
 * ca-core decodes and verifies the whole request; this only reads what the
 * SCEP layer decides on. MALFORMED_REQUEST (failInfo badRequest) otherwise.
 */
export function scepCsrInfo(der: Buffer): ScepCsrInfo {
  try {
    const [info] = children(parseDer(der, 'certificate request'), 'CertificationRequest');
    const f = children(info, 'CertificationRequestInfo');
    if (f.length < 4 || !isContextTag(f[3], 0)) throw malformed('CertificationRequestInfo: attributes must be [0]');
    let challengePassword: string | undefined;
    for (const attr of (f[3] as asn1js.Constructed).valueBlock.value) {
      const [type, values] = children(attr, 'Attribute');
      if (oidOf(type, 'Attribute type') !== SCEP_OID.challengePassword) continue;
      const v = children(values, 'challengePassword')[0];
      if (v instanceof asn1js.PrintableString || v instanceof asn1js.Utf8String || v instanceof asn1js.IA5String || v instanceof asn1js.TeletexString || v instanceof asn1js.BmpString) {
        challengePassword = v.valueBlock.value;
      } else throw malformed('challengePassword: expected a DirectoryString');
    }
    return { spki: rawOf(f[2]), ...(challengePassword !== undefined ? { challengePassword } : {}) };
  } catch (e) {
    const err = e instanceof SignetError ? e : malformed(`certificate request: ${(e as Error).message}`);
    throw new SignetError(err.code, err.message, { failInfo: 'badRequest' });
  }
}

/** CertPoll's IssuerAndSubject (RFC 8894 3.3.3): the two Names as DER. */
export function scepIssuerAndSubject(der: Buffer): { issuer: Buffer; subject: Buffer } {
  const f = children(parseDer(der, 'IssuerAndSubject'), 'IssuerAndSubject');
  if (f.length !== 2 || !(f[0] instanceof asn1js.Sequence) || !(f[1] instanceof asn1js.Sequence)) throw malformed('IssuerAndSubject: expected two Names');
  return { issuer: rawOf(f[0]), subject: rawOf(f[1]) };
}

/** GetCert's and GetCRL's IssuerAndSerialNumber (RFC 8894 3.3.4, 3.3.5): the issuer Name as DER, the serial as hex. */
export function scepIssuerAndSerial(der: Buffer): { issuer: Buffer; serialHex: string } {
  const f = children(parseDer(der, 'IssuerAndSerialNumber'), 'IssuerAndSerialNumber');
  if (f.length !== 2 || !(f[0] instanceof asn1js.Sequence) || !(f[1] instanceof asn1js.Integer)) throw malformed('IssuerAndSerialNumber: expected a Name and an INTEGER');
  let serial = Buffer.from(f[1].valueBlock.valueHexView);
  if (serial.length > 1 && serial[0] === 0) serial = serial.subarray(1);
  return { issuer: rawOf(f[0]), serialHex: serial.toString('hex') };
}

/**
 * A degenerate certificates-only SignedData (RFC 8894 3.4; RFC 5652 5.2:
 * no signers, no content), for GetCACert's RA + CA answer and a CertRep's
 * issued certificate or CRL. The certificates and CRLs go in as given.
 */
export function scepCertsOnly(certificates: readonly Buffer[], crls: readonly Buffer[] = []): Buffer {
  const signedData = derSequence([
    intDer(1),
    setDer([]),
    derSequence([oidDer(SCEP_OID.data)]),
    ...(certificates.length ? [tlv(0xa0, Buffer.concat(certificates))] : []),
    ...(crls.length ? [tlv(0xa1, Buffer.concat(crls))] : []),
    setDer([]),
  ]);
  return derSequence([oidDer(SCEP_OID.signedData), tlv(0xa0, signedData)]);
}

/** The RA that signs CertReps: its certificate (first), the chain to send along, and its key. */
export interface ScepSigner {
  certificate: Buffer;
  chain?: readonly Buffer[];
  privateKey: KeyObject;
}

export interface CertRepOptions {
  signer: ScepSigner;
  transactionId: string;
  /** The request's senderNonce, echoed as recipientNonce. */
  recipientNonce: Buffer;
  digest: Digest;
  status: ScepPkiStatus;
  /** FAILURE only. */
  failInfo?: ScepFailInfo;
  /** SUCCESS only: the certificates (or CRL) to return, encrypted to the requester's signer certificate. */
  success?: { certificates: readonly Buffer[]; crls?: readonly Buffer[]; recipient: Buffer; cipher: ScepCipher };
  /** For tests: a fixed senderNonce. */
  senderNonce?: Buffer;
}

/**
 * A CertRep (RFC 8894 3.3.2): SignedData signed by the RA with messageType
 * 3, pkiStatus, failInfo on FAILURE, the transactionID echoed,
 * recipientNonce = the client's senderNonce and a fresh senderNonce. On
 * SUCCESS the content is a pkcsPKIEnvelope holding a degenerate
 * certificates-only SignedData; on FAILURE and PENDING it is empty. The
 * SignerInfo's signatureAlgorithm is rsaEncryption for an RSA RA (what
 * every SCEP client expects), ecdsa-with-SHA* otherwise.
 */
export function buildScepCertRep(o: CertRepOptions): Buffer {
  if ((o.status === 'SUCCESS') !== (o.success !== undefined)) throw new SignetError(ErrorCode.Internal, 'CertRep: content goes with SUCCESS and only with it');
  if ((o.status === 'FAILURE') !== (o.failInfo !== undefined)) throw new SignetError(ErrorCode.Internal, 'CertRep: failInfo goes with FAILURE and only with it');
  const content = o.success ? sealScepEnvelope(scepCertsOnly(o.success.certificates, o.success.crls), o.success.recipient, o.success.cipher) : Buffer.alloc(0);
  const attr = (oid: string, value: Buffer) => derSequence([oidDer(oid), setDer([value])]);
  return signScepMessage(o.signer, o.digest, content, [
    attr(SCEP_OID.messageType, printableDer(String(ScepMessageType.CertRep))),
    attr(SCEP_OID.pkiStatus, printableDer(String(ScepPkiStatus[o.status]))),
    ...(o.failInfo !== undefined ? [attr(SCEP_OID.failInfo, printableDer(String(ScepFailInfo[o.failInfo])))] : []),
    attr(SCEP_OID.transactionId, textDer(o.transactionId)),
    attr(SCEP_OID.recipientNonce, octetsDer(o.recipientNonce)),
    attr(SCEP_OID.senderNonce, octetsDer(o.senderNonce ?? randomBytes(16))),
  ]);
}

export interface ScepRequestOptions {
  messageType: ScepMessageType;
  transactionId: string;
  senderNonce: Buffer;
  /** The requester: its (self-signed or CA-issued) certificate and key. */
  signer: ScepSigner;
  digest: Digest;
  /** The message data (PKCS#10, IssuerAndSubject, IssuerAndSerialNumber), sealed to `recipient` with `cipher`. */
  content: Buffer;
  recipient: Buffer;
  cipher: ScepCipher;
}

/** A client's pkiMessage (RFC 8894 3.2), as SCEP clients build it: for tests and tools that speak to an RA. */
export function buildScepRequest(o: ScepRequestOptions): Buffer {
  const attr = (oid: string, value: Buffer) => derSequence([oidDer(oid), setDer([value])]);
  return signScepMessage(o.signer, o.digest, sealScepEnvelope(o.content, o.recipient, o.cipher), [
    attr(SCEP_OID.messageType, printableDer(String(o.messageType))),
    attr(SCEP_OID.transactionId, textDer(o.transactionId)),
    attr(SCEP_OID.senderNonce, octetsDer(o.senderNonce)),
  ]);
}

/** SignedData over `content` with contentType, messageDigest and the SCEP attributes, signed by `signer`. */
function signScepMessage(signer: ScepSigner, digest: Digest, content: Buffer, scepAttributes: Buffer[]): Buffer {
  const attr = (oid: string, value: Buffer) => derSequence([oidDer(oid), setDer([value])]);
  const cert = splitCertificate(signer.certificate);
  const digestOid = Object.entries(SCEP_DIGESTS).find(([, d]) => d === digest)![0];
  const signedAttrs = setOfDer([
    attr(SCEP_OID.contentType, oidDer(SCEP_OID.data)),
    attr(SCEP_OID.messageDigest, octetsDer(createHash(digest).update(content).digest())),
    ...scepAttributes,
  ]);
  const isRsa = signer.privateKey.asymmetricKeyType === 'rsa';
  const signatureOid = isRsa ? SCEP_OID.rsaEncryption : { sha1: '1.2.840.10045.4.1', sha256: SCEP_OID.ecdsaWithSha256, sha384: SCEP_OID.ecdsaWithSha384, sha512: SCEP_OID.ecdsaWithSha512 }[digest];
  const signature = sign(digest, signedAttrs, signer.privateKey);
  const signerInfo = derSequence([
    intDer(1),
    derSequence([cert.issuerDer, tlv(0x02, cert.serial)]),
    derSequence([oidDer(digestOid), nullDer]),
    Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]),
    derSequence(isRsa ? [oidDer(signatureOid), nullDer] : [oidDer(signatureOid)]),
    octetsDer(signature),
  ]);
  const signedData = derSequence([
    intDer(1),
    setDer([derSequence([oidDer(digestOid), nullDer])]),
    derSequence([oidDer(SCEP_OID.data), tlv(0xa0, octetsDer(content))]),
    tlv(0xa0, Buffer.concat([signer.certificate, ...(signer.chain ?? [])])),
    setDer([signerInfo]),
  ]);
  return derSequence([oidDer(SCEP_OID.signedData), tlv(0xa0, signedData)]);
}

/** PrintableString when the text fits its alphabet (RFC 8894 says PrintableString), UTF8String otherwise. */
function textDer(s: string): Buffer {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) ? printableDer(s) : tlv(0x0c, Buffer.from(s, 'utf8'));
}
