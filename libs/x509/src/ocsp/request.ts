import * as asn1js from 'asn1js';
import { ErrorCode, SignetError } from '@signet/contracts';
import { OID } from '../oids';
import { children, decodeElement, expectType, isContextTag, malformed, parseDer } from '../der';
import { parseAlgorithmIdentifier } from '../algorithms';
import { parseExtensions } from '../extension-list';
import { CERT_ID_HASHES } from './cert-id';

/** Limits on what an OCSP request may contain; RFC 5019 clients send one CertID and a nonce. */
export const OCSP_REQUEST_LIMITS = {
  /** DER bytes; a signed request with its certificates stays well below. */
  maxBytes: 16_384,
  maxCertIds: 16,
  /** RFC 8954 2.1: a responder rejects nonces longer than 32 octets. */
  maxNonceOctets: 32,
} as const;

export interface OcspCertId {
  /** The CertID exactly as the client sent it: the response echoes these bytes. */
  der: Buffer;
  hashAlgorithm: string;
  /** node:crypto name of the hash, when Signet supports it. */
  hash?: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** Lower-case hex of a positive serial; null for a zero or negative one (never issued). */
  serialHex: string | null;
}

export interface OcspRequestInfo {
  certIds: OcspCertId[];
  /** extnValue contents of the nonce extension, echoed verbatim in the response. */
  nonce?: Buffer;
}

const raw = (b: asn1js.AsnType): Buffer => Buffer.from((b as asn1js.BaseBlock).valueBeforeDecodeView);

function octets(block: asn1js.AsnType | undefined, what: string): Buffer {
  const os = expectType(block, asn1js.OctetString, what);
  if (os.valueBlock.isConstructed) throw malformed(`${what}: constructed OCTET STRING is not DER`);
  return Buffer.from(os.valueBlock.valueHexView);
}

function serialOf(block: asn1js.AsnType | undefined): string | null {
  const int = expectType(block, asn1js.Integer, 'CertID serialNumber');
  const bytes = Buffer.from(int.valueBlock.valueHexView);
  if (bytes.length === 0 || bytes.length > 64) throw malformed('CertID serialNumber: bad length');
  if (bytes[0] & 0x80) return null;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const hex = bytes.subarray(start).toString('hex');
  return /^0+$/.test(hex) ? null : hex;
}

function certId(block: asn1js.AsnType | undefined): OcspCertId {
  const [alg, nameHash, keyHash, serial, extra] = children(block, 'CertID');
  if (extra !== undefined) throw malformed('CertID: too many components');
  const hashAlgorithm = parseAlgorithmIdentifier(alg, 'CertID hashAlgorithm');
  if (hashAlgorithm.params !== undefined && !(hashAlgorithm.params instanceof asn1js.Null)) throw malformed('CertID hashAlgorithm: parameters must be NULL or absent');
  const id: OcspCertId = {
    der: raw(block!),
    hashAlgorithm: hashAlgorithm.oid,
    hash: CERT_ID_HASHES[hashAlgorithm.oid],
    issuerNameHash: octets(nameHash, 'CertID issuerNameHash'),
    issuerKeyHash: octets(keyHash, 'CertID issuerKeyHash'),
    serialHex: serialOf(serial),
  };
  if (id.issuerNameHash.length > 64 || id.issuerKeyHash.length > 64) throw malformed('CertID: hash longer than any supported digest');
  return id;
}

/** The nonce's extnValue; RFC 8954 wants OCTET STRING (SIZE(1..32)), older clients send bare bytes. */
function checkNonce(value: Buffer): Buffer {
  if (value.length === 0) throw malformed('OCSP nonce: empty');
  let inner = value;
  const res = decodeElement(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if ('block' in res && res.trailing === 0 && res.block instanceof asn1js.OctetString && !res.block.valueBlock.isConstructed) {
    inner = Buffer.from(res.block.valueBlock.valueHexView);
  }
  if (inner.length === 0 || inner.length > OCSP_REQUEST_LIMITS.maxNonceOctets) {
    throw malformed(`OCSP nonce: must be 1..${OCSP_REQUEST_LIMITS.maxNonceOctets} octets (RFC 8954)`);
  }
  return value;
}

/**
 * RFC 6960 4.1.1:
 *
 *   OCSPRequest ::= SEQUENCE {
 *       tbsRequest                  TBSRequest,
 *       optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
 *
 *   TBSRequest ::= SEQUENCE {
 *       version             [0]     EXPLICIT Version DEFAULT v1,
 *       requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
 *       requestList                 SEQUENCE OF Request,
 *       requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
 *
 *   Request ::= SEQUENCE {
 *       reqCert                     CertID,
 *       singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 *
 * Signet does not require signed requests (RFC 5019 clients do not sign),
 * so an optional signature is accepted and not evaluated. Anything that is
 * not this structure throws SignetError(MalformedRequest), which the
 * responder answers with `malformedRequest`.
 */
export function parseOcspRequest(der: Buffer): OcspRequestInfo {
  if (der.length > OCSP_REQUEST_LIMITS.maxBytes) throw new SignetError(ErrorCode.TooLarge, `OCSP request larger than ${OCSP_REQUEST_LIMITS.maxBytes} bytes`);
  const [tbs, sig, extra] = children(parseDer(der, 'OCSPRequest'), 'OCSPRequest');
  if (extra !== undefined || (sig !== undefined && !isContextTag(sig, 0))) throw malformed('OCSPRequest: unexpected component');
  const fields = children(tbs, 'TBSRequest');
  let i = 0;
  if (isContextTag(fields[i], 0)) {
    const v = (fields[i] as asn1js.Constructed).valueBlock.value?.[0];
    if (!(v instanceof asn1js.Integer) || v.valueBlock.valueDec !== 0) throw malformed('TBSRequest: only version v1 exists');
    i++;
  }
  if (isContextTag(fields[i], 1)) i++; // requestorName: informational
  const list = fields[i++];
  if (!(list instanceof asn1js.Sequence)) throw malformed('TBSRequest: requestList must be a SEQUENCE');
  const requests = list.valueBlock.value;
  if (requests.length === 0) throw malformed('TBSRequest: requestList is empty');
  if (requests.length > OCSP_REQUEST_LIMITS.maxCertIds) throw malformed(`TBSRequest: at most ${OCSP_REQUEST_LIMITS.maxCertIds} certificates per request`);
  const certIds = requests.map((r) => {
    const [reqCert, singleExts, more] = children(r, 'Request');
    if (more !== undefined || (singleExts !== undefined && !isContextTag(singleExts, 0))) throw malformed('Request: unexpected component');
    return certId(reqCert);
  });
  let nonce: Buffer | undefined;
  if (fields[i] !== undefined) {
    if (!isContextTag(fields[i], 2)) throw malformed('TBSRequest: unexpected component');
    const inner = (fields[i] as asn1js.Constructed).valueBlock.value;
    if (inner?.length !== 1) throw malformed('requestExtensions: [2] must hold one SEQUENCE');
    const ext = parseExtensions(inner[0], 'requestExtensions').find((e) => e.oid === OID.ocspNonce);
    if (ext) nonce = checkNonce(ext.value);
    i++;
  }
  if (fields[i] !== undefined) throw malformed('TBSRequest: unexpected component');
  return { certIds, ...(nonce ? { nonce } : {}) };
}
