/**
 * The issuance path as it was before ADR 0038, for the differential test and
 * bench/sign.bench.ts only (`@signet/x509/testing`; not part of the build).
 */
export { referenceEncodeExtensions, referenceEncodeName, referenceEncodeSignatureAlgorithm, referenceEncodeTbs, referenceIssue, referencePrepare } from './reference-certificate';
export type { ReferencePrepared } from './reference-certificate';
export { referenceParseCsr } from './reference-csr';
