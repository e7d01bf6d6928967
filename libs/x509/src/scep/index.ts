export * from './constants';
export { failInfoOf, scepProblem } from './der-parts';
export { openScepEnvelope, sealScepEnvelope } from './envelope';
export type { OpenedEnvelope, ScepRecipient } from './envelope';
export { buildScepCertRep, buildScepRequest, readScepRequest, scepCertsOnly, scepCsrInfo, scepIssuerAndSerial, scepIssuerAndSubject } from './message';
export type { CertRepOptions, ScepCsrInfo, ScepRequestOptions, ScepSignedRequest, ScepSigner } from './message';
