import { ErrorCode, SignetError } from '@signet/contracts';
import { OID } from '../oids';
import { derSequence, tlv, toDer } from '../der';
import { encodeSignatureAlgorithm, decodeAlgorithmIdentifier, verifySignature } from '../algorithms';
import { encodeExtensions } from '../extension-list';
import type { Signer } from '../signer';
import { responderKeyHash } from './cert-id';
import * as asn1js from 'asn1js';

/** OCSPResponseStatus (RFC 6960 4.2.1); 4 is not used. */
export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspResponseStatus = keyof typeof OCSP_RESPONSE_STATUS;

export type OcspCertStatus =
  | { kind: 'good' }
  | { kind: 'revoked'; revokedAt: Date; /** CRLReason; absent → not stated. */ reason?: number }
  | { kind: 'unknown' };

export interface OcspSingleResponse {
  /** The CertID as the client sent it (byte-exact echo). */
  certIdDer: Buffer;
  status: OcspCertStatus;
  thisUpdate: Date;
  /** RFC 5019 2.2.4: responses meant for caching carry nextUpdate. */
  nextUpdate?: Date;
}

export interface OcspResponseSpec {
  /** The CA's signer, or a delegated responder's (id-kp-OCSPSigning certificate). */
  signer: Signer;
  producedAt: Date;
  responses: OcspSingleResponse[];
  /** The request's nonce extnValue, echoed (RFC 8954). */
  nonce?: Buffer;
  /** Certificates that help verify the signature: the delegated responder's certificate. */
  certs?: Buffer[];
}

/** The complete, unsigned OCSPResponse for a non-successful status: SEQUENCE { ENUMERATED }. */
export function ocspErrorResponse(status: Exclude<OcspResponseStatus, 'successful'>): Buffer {
  return derSequence([tlv(0x0a, Buffer.from([OCSP_RESPONSE_STATUS[status]]))]);
}

/** GeneralizedTime without fractions (RFC 6960 / RFC 5280 4.1.2.5.2). */
function generalizedTime(d: Date): Buffer {
  if (!Number.isFinite(d.getTime())) throw new SignetError(ErrorCode.Internal, 'OCSP: invalid date');
  const iso = new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString(); // 2026-11-25T10:20:30.000Z
  return tlv(0x18, Buffer.from(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, 'ascii'));
}

/**
 *   CertStatus ::= CHOICE {
 *       good        [0]     IMPLICIT NULL,
 *       revoked     [1]     IMPLICIT RevokedInfo,
 *       unknown     [2]     IMPLICIT UnknownInfo }
 *
 *   RevokedInfo ::= SEQUENCE {
 *       revocationTime              GeneralizedTime,
 *       revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
 */
function certStatus(s: OcspCertStatus): Buffer {
  switch (s.kind) {
    case 'good':
      return Buffer.from([0x80, 0x00]);
    case 'unknown':
      return Buffer.from([0x82, 0x00]);
    case 'revoked': {
      const parts = [generalizedTime(s.revokedAt)];
      if (s.reason !== undefined) {
        if (!Number.isInteger(s.reason) || s.reason < 0 || s.reason > 10 || s.reason === 7) throw new SignetError(ErrorCode.Internal, `OCSP: ${s.reason} is not a CRLReason`);
        parts.push(tlv(0xa0, tlv(0x0a, Buffer.from([s.reason]))));
      }
      return tlv(0xa1, Buffer.concat(parts));
    }
  }
}

/**
 *   SingleResponse ::= SEQUENCE {
 *       certID                       CertID,
 *       certStatus                   CertStatus,
 *       thisUpdate                   GeneralizedTime,
 *       nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
 *       singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
 */
function singleResponse(r: OcspSingleResponse): Buffer {
  const parts = [r.certIdDer, certStatus(r.status), generalizedTime(r.thisUpdate)];
  if (r.nextUpdate) parts.push(tlv(0xa0, generalizedTime(r.nextUpdate)));
  return derSequence(parts);
}

/**
 * A signed, successful OCSP response (RFC 6960 4.2.1, RFC 5019 profile):
 *
 *   OCSPResponse ::= SEQUENCE {
 *      responseStatus         OCSPResponseStatus,
 *      responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
 *
 *   ResponseBytes ::=       SEQUENCE {
 *       responseType   OBJECT IDENTIFIER,     -- id-pkix-ocsp-basic
 *       response       OCTET STRING }         -- DER of BasicOCSPResponse
 *
 *   BasicOCSPResponse       ::= SEQUENCE {
 *      tbsResponseData      ResponseData,
 *      signatureAlgorithm   AlgorithmIdentifier,
 *      signature            BIT STRING,
 *      certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 *
 *   ResponseData ::= SEQUENCE {
 *      version              [0] EXPLICIT Version DEFAULT v1,
 *      responderID              ResponderID,
 *      producedAt               GeneralizedTime,
 *      responses                SEQUENCE OF SingleResponse,
 *      responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
 *
 *   ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
 *
 * The responder is identified by key (RFC 5019 2.2.3 prefers byKey: it
 * stays right when the responder certificate is renewed with the same key).
 */
export async function buildOcspResponse(spec: OcspResponseSpec): Promise<Buffer> {
  if (spec.responses.length === 0) throw new SignetError(ErrorCode.Internal, 'OCSP: a response needs at least one SingleResponse');
  const responderId = tlv(0xa2, tlv(0x04, responderKeyHash(spec.signer.spki)));
  const parts = [responderId, generalizedTime(spec.producedAt), derSequence(spec.responses.map(singleResponse))];
  if (spec.nonce) parts.push(tlv(0xa1, encodeExtensions([{ oid: OID.ocspNonce, critical: false, value: spec.nonce }])));
  const tbs = derSequence(parts);

  const algDer = encodeSignatureAlgorithm(spec.signer.signatureAlgorithmOid);
  const signature = await spec.signer.sign(tbs);
  // A signature that does not verify must never reach a client: it would read as an attack.
  if (!(await verifySignature(decodeAlgorithmIdentifier(algDer, 'signatureAlgorithm'), spec.signer.spki, tbs, signature))) {
    throw new SignetError(ErrorCode.Internal, 'OCSP response signature does not verify');
  }
  const basic = [tbs, algDer, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))];
  if (spec.certs?.length) basic.push(tlv(0xa0, derSequence(spec.certs)));
  const responseBytes = derSequence([toDer(new asn1js.ObjectIdentifier({ value: OID.ocspBasic })), tlv(0x04, derSequence(basic))]);
  return derSequence([tlv(0x0a, Buffer.from([OCSP_RESPONSE_STATUS.successful])), tlv(0xa0, responseBytes)]);
}
