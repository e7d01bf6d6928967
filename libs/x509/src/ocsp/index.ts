export { parseOcspRequest, OCSP_REQUEST_LIMITS } from './request';
export type { OcspCertId, OcspRequestInfo } from './request';
export { buildOcspResponse, ocspErrorResponse, OCSP_RESPONSE_STATUS } from './response';
export type { OcspCertStatus, OcspResponseSpec, OcspResponseStatus, OcspSingleResponse } from './response';
export { issuerHashes, responderKeyHash, CERT_ID_HASHES } from './cert-id';
export type { IssuerHashes } from './cert-id';
export { buildOcspRequest, readOcspResponse } from './client';
export type { OcspAnswer, OcspQuery, ReadOcspResponse } from './client';
