import * as pkijs from 'pkijs';
import { ErrorCode, SignetError } from '@signet/contracts';
import { parseDer, toDer } from '../der';
import { initCrypto } from '../engine';

/** id-signedData (RFC 5652 5.1) and id-data (RFC 5652 4). */
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_DATA = '1.2.840.113549.1.7.1';

/** More certificates than any chain or enrollment answer carries. */
const MAX_CERTIFICATES = 32;

/**
 * A "certs-only" PKCS#7 (RFC 5652 SignedData with no signers, the
 * degenerate form RFC 7030 §4.1.3 and RFC 8551 §3.2.2 call certs-only):
 *
 *   ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 *   SignedData ::= SEQUENCE {
 *        version CMSVersion (1),
 *        digestAlgorithms SET OF DigestAlgorithmIdentifier (empty),
 *        encapContentInfo EncapsulatedContentInfo (id-data, no eContent),
 *        certificates [0] IMPLICIT CertificateSet,
 *        signerInfos SET OF SignerInfo (empty) }
 *
 * `certificates` are DER X.509 certificates, kept byte for byte in the
 * order given (each is checked to be a certificate first, so a caller's
 * mistake is an error here rather than a structure clients refuse).
 */
export function certsOnlyPkcs7(certificates: Buffer[]): Buffer {
  initCrypto();
  if (certificates.length === 0) throw new Error('certsOnlyPkcs7: at least one certificate');
  const certs = certificates.map((der) => new pkijs.Certificate({ schema: parseDer(der, 'certificate') }));
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA }),
    certificates: certs,
    signerInfos: [],
    digestAlgorithms: [],
  });
  return toDer(new pkijs.ContentInfo({ contentType: ID_SIGNED_DATA, content: signed.toSchema(true) }).toSchema());
}

function malformed(message: string): SignetError {
  return new SignetError(ErrorCode.MalformedRequest, `certs-only PKCS#7: ${message}`);
}

/**
 * The certificates (DER) of a certs-only PKCS#7, in order: the reading side
 * of certsOnlyPkcs7, for clients and tests. Anything else (another content
 * type, signers, other certificate choices) is MALFORMED_REQUEST.
 */
export function readCertsOnlyPkcs7(der: Buffer): Buffer[] {
  initCrypto();
  const root = parseDer(der, 'PKCS#7');
  let info: pkijs.ContentInfo;
  let signed: pkijs.SignedData;
  try {
    info = new pkijs.ContentInfo({ schema: root });
    if (info.contentType !== ID_SIGNED_DATA) throw malformed(`content type ${info.contentType} is not signedData`);
    signed = new pkijs.SignedData({ schema: info.content });
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw malformed('not a SignedData');
  }
  if (signed.signerInfos.length !== 0) throw malformed('has signers');
  const certs = signed.certificates ?? [];
  if (certs.length === 0) throw malformed('holds no certificate');
  if (certs.length > MAX_CERTIFICATES) throw malformed(`holds more than ${MAX_CERTIFICATES} certificates`);
  return certs.map((c) => {
    if (!(c instanceof pkijs.Certificate)) throw malformed('holds a certificate choice other than X.509');
    return toDer(c.toSchema());
  });
}

