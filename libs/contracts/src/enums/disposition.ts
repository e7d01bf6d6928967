/**
 * Stored request states (AD CS DB_DISP_*) and what clients see (CR_DISP_*).
 * The names are the wire form; the numbers are AD CS's, kept for operators
 * who know certutil output.
 */
export const Disposition = {
  InProcess: 'in_process',
  Pending: 'pending',
  Issued: 'issued',
  Denied: 'denied',
  Failed: 'failed',
  Revoked: 'revoked',
} as const;
export type Disposition = (typeof Disposition)[keyof typeof Disposition];
export const DISPOSITIONS = Object.values(Disposition) as [Disposition, ...Disposition[]];

/** DB_DISP_* as stored by AD CS in Request.Disposition. */
export const DB_DISP: Record<Disposition, number> = {
  in_process: 8, // DB_DISP_ACTIVE
  pending: 9,
  issued: 20,
  revoked: 21,
  failed: 30, // DB_DISP_ERROR
  denied: 31,
};

/** CR_DISP_* as returned to ICertRequest callers. */
export const CR_DISP: Record<Disposition, number> = {
  in_process: 0, // CR_DISP_INCOMPLETE
  failed: 1, // CR_DISP_ERROR
  denied: 2,
  issued: 3,
  pending: 5, // CR_DISP_UNDER_SUBMISSION
  revoked: 6,
};

/** The policy module's answer (VR_*). */
export const Verdict = {
  Pend: 'pend',
  Issue: 'issue',
  Deny: 'deny',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
export const VERDICTS = Object.values(Verdict) as [Verdict, ...Verdict[]];

export const VR: Record<Verdict, number> = { pend: 0, issue: 1, deny: 2 };

/**
 * How a request row came to be (AD CS's request type and origin bits):
 * `pkcs10` submitted as a certificate request; `imported` made by
 * ICertAdmin::ImportCertificate for a certificate the CA had issued before
 * its database knew of it (there is no certificate request then).
 */
export const RequestType = {
  Pkcs10: 'pkcs10',
  Imported: 'imported',
} as const;
export type RequestType = (typeof RequestType)[keyof typeof RequestType];
export const REQUEST_TYPES = Object.values(RequestType) as [RequestType, ...RequestType[]];
