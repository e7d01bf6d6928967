import * as asn1js from 'asn1js';
import { OID } from '../oids';
import { children, derSequence, expectType, isContextTag, malformed, parseDer, tlv, toDer } from '../der';
import { splitCertificate } from '../inspect';
import { issuerHashes } from './cert-id';
import { OCSP_RESPONSE_STATUS, type OcspCertStatus, type OcspResponseStatus } from './response';

/**
 * The relying-party side of OCSP, for a service that asks its own CA about
 * a certificate it was shown (the intermediary's TLS client-certificate
 * authenticator). The responder side is request.ts / response.ts.
 */

export interface OcspQuery {
  /** The OCSPRequest, DER. */
  der: Buffer;
  /** The CertID in it: a SingleResponse answers this certificate when it echoes these bytes. */
  certIdDer: Buffer;
}

/**
 * An unsigned OCSPRequest (RFC 6960 4.1.1) for one certificate, no nonce:
 *
 *   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest }
 *   TBSRequest  ::= SEQUENCE { requestList SEQUENCE OF Request }
 *   Request     ::= SEQUENCE { reqCert CertID }
 *   CertID      ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }
 *
 * SHA-256 CertID hashes (a Signet responder answers SHA-1 and SHA-2 alike).
 */
export function buildOcspRequest(certificateDer: Buffer, issuerDer: Buffer): OcspQuery {
  const cert = splitCertificate(certificateDer);
  const hashes = issuerHashes(issuerDer).get(OID.sha256)!;
  const algorithm = derSequence([toDer(new asn1js.ObjectIdentifier({ value: OID.sha256 })), tlv(0x05, Buffer.alloc(0))]);
  const certIdDer = derSequence([algorithm, tlv(0x04, hashes.nameHash), tlv(0x04, hashes.keyHash), tlv(0x02, cert.serial)]);
  return { der: derSequence([derSequence([derSequence([derSequence([certIdDer])])])]), certIdDer };
}

export interface OcspAnswer {
  /** The CertID the single response is about, byte-exact. */
  certIdDer: Buffer;
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ReadOcspResponse {
  status: OcspResponseStatus;
  /** The SingleResponses of a successful response (empty otherwise). */
  responses: OcspAnswer[];
}

const raw = (b: asn1js.AsnType): Buffer => Buffer.from((b as asn1js.BaseBlock).valueBeforeDecodeView);

function generalizedTime(block: asn1js.AsnType | undefined, what: string): Date {
  return expectType(block, asn1js.GeneralizedTime, what).toDate();
}

/** CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo } */
function certStatus(block: asn1js.AsnType): OcspCertStatus {
  if (isContextTag(block, 0)) return { kind: 'good' };
  if (isContextTag(block, 2)) return { kind: 'unknown' };
  if (isContextTag(block, 1)) {
    const [time, reason] = (block as asn1js.Constructed).valueBlock.value ?? [];
    const revokedAt = generalizedTime(time, 'RevokedInfo revocationTime');
    const code = reason && isContextTag(reason, 0) ? (reason as asn1js.Constructed).valueBlock.value?.[0] : undefined;
    return { kind: 'revoked', revokedAt, ...(code instanceof asn1js.Enumerated ? { reason: code.valueBlock.valueDec } : {}) };
  }
  throw malformed('SingleResponse certStatus: unknown choice');
}

/**
 * Reads an OCSPResponse (RFC 6960 4.2.1; the ASN.1 is in response.ts): its
 * status and, when successful, each SingleResponse. The signature is not
 * checked here: the caller knows how it got the bytes (Signet's services
 * get them from their own ca-core over the bus, the same path that gives
 * them the CA certificate a signature would be checked against).
 */
export function readOcspResponse(der: Buffer): ReadOcspResponse {
  const [statusBlock, bytes] = children(parseDer(der, 'OCSPResponse'), 'OCSPResponse');
  const code = expectType(statusBlock, asn1js.Enumerated, 'OCSPResponse responseStatus').valueBlock.valueDec;
  const status = (Object.keys(OCSP_RESPONSE_STATUS) as OcspResponseStatus[]).find((k) => OCSP_RESPONSE_STATUS[k] === code);
  if (!status) throw malformed(`OCSPResponse: unknown responseStatus ${code}`);
  if (status !== 'successful') return { status, responses: [] };
  if (!bytes || !isContextTag(bytes, 0)) throw malformed('OCSPResponse: a successful response needs responseBytes');
  const [type, octets] = children((bytes as asn1js.Constructed).valueBlock.value?.[0], 'ResponseBytes');
  if (expectType(type, asn1js.ObjectIdentifier, 'ResponseBytes responseType').valueBlock.toString() !== OID.ocspBasic) throw malformed('OCSPResponse: not id-pkix-ocsp-basic');
  const basic = parseDer(Buffer.from(expectType(octets, asn1js.OctetString, 'ResponseBytes response').valueBlock.valueHexView), 'BasicOCSPResponse');
  const fields = children(children(basic, 'BasicOCSPResponse')[0], 'ResponseData');
  let i = isContextTag(fields[0], 0) ? 1 : 0; // version
  i++; // responderID
  i++; // producedAt
  const responses = children(fields[i], 'ResponseData responses').map((single) => {
    const [certId, statusChoice, thisUpdate, ...rest] = children(single, 'SingleResponse');
    const next = rest.find((b) => isContextTag(b, 0));
    return {
      certIdDer: raw(certId),
      status: certStatus(statusChoice),
      thisUpdate: generalizedTime(thisUpdate, 'SingleResponse thisUpdate'),
      ...(next ? { nextUpdate: generalizedTime((next as asn1js.Constructed).valueBlock.value?.[0], 'SingleResponse nextUpdate') } : {}),
    };
  });
  return { status, responses };
}
