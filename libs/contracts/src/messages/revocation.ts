import { z } from 'zod';
import { adminCommand, RevocationReasonSchema } from './admin';
import { IdentitySchema } from './identity';
import { IdentityAssertionSchema } from './identity-assertion';
import { Base64Schema, IsoTimeSchema, SerialHexSchema } from './common';

/**
 * Revocation status: CRLs and OCSP. ca-core signs both (the CA key, or a
 * delegated OCSP key it holds, never leaves it); the intermediary serves
 * them over plain HTTP and caches them.
 */

/** CRL numbers are small integers on the wire: one sequence per CA, base and delta share it. */
export const CrlNumberSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** ICertAdmin::PublishCRL(s): issue a base CRL now, or a delta on the current base. */
export const PublishCrlRequestSchema = adminCommand({ delta: z.boolean().default(false) });
export type PublishCrlRequest = z.input<typeof PublishCrlRequestSchema>;
export const PublishCrlReplySchema = z.object({
  crlNumber: CrlNumberSchema,
  delta: z.boolean(),
  /** For a delta CRL: the base CRL number it is relative to (deltaCRLIndicator). */
  baseCrlNumber: CrlNumberSchema.nullable(),
  thisUpdate: IsoTimeSchema,
  nextUpdate: IsoTimeSchema,
  /** Number of revokedCertificates entries. */
  entries: z.number().int().nonnegative(),
});
export type PublishCrlReply = z.infer<typeof PublishCrlReplySchema>;

/** Largest CRL slice one reply carries (raw bytes; base64 makes it ~700 KB, below NATS's 1 MiB). */
export const CRL_CHUNK_BYTES = 524_288;

/**
 * The newest CRL of a kind, or one by number, in slices: a CRL with a
 * million entries is tens of megabytes, far above one bus message. Ask
 * with `offset` 0, then with `number` fixed and `offset` advanced until
 * `offset + chunk length == size`; `sha256` checks the assembled bytes.
 * `metaOnly` answers without bytes (cheap freshness check).
 */
export const CrlFetchRequestSchema = z
  .object({
    delta: z.boolean().default(false),
    number: CrlNumberSchema.optional(),
    offset: z.number().int().nonnegative().max(2 ** 40).default(0),
    metaOnly: z.boolean().default(false),
  })
  .strict();
export type CrlFetchRequest = z.input<typeof CrlFetchRequestSchema>;
export const CrlFetchReplySchema = z.object({
  number: CrlNumberSchema,
  delta: z.boolean(),
  baseNumber: CrlNumberSchema.nullable(),
  thisUpdate: IsoTimeSchema,
  nextUpdate: IsoTimeSchema,
  entries: z.number().int().nonnegative(),
  /** Total DER length in bytes. */
  size: z.number().int().positive(),
  /** SHA-256 of the whole DER, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  offset: z.number().int().nonnegative(),
  /** DER bytes [offset, offset + CRL_CHUNK_BYTES), base64; empty with metaOnly. */
  chunk: Base64Schema.max(Math.ceil(CRL_CHUNK_BYTES / 3) * 4),
});
export type CrlFetchReply = z.infer<typeof CrlFetchReplySchema>;

/** Largest OCSP request accepted anywhere (DER bytes). */
export const OCSP_REQUEST_MAX_BYTES = 16_384;

/** OCSPResponseStatus names (RFC 6960 4.2.1). */
export const OCSP_STATUSES = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const;

/** One OCSP request (DER, base64) → the complete OCSPResponse DER, signed where the key is. */
export const OcspRespondRequestSchema = z
  .object({ request: Base64Schema.min(4).max(Math.ceil(OCSP_REQUEST_MAX_BYTES / 3) * 4) })
  .strict();
export type OcspRespondRequest = z.infer<typeof OcspRespondRequestSchema>;
export const OcspRespondReplySchema = z.object({
  status: z.enum(OCSP_STATUSES),
  /** OCSPResponse DER, base64. */
  response: Base64Schema.max(65_536),
  /**
   * May the edge reuse this response for the same request bytes? False when
   * the request carried a nonce (the response is bound to it) or on errors.
   */
  cacheable: z.boolean(),
  /** Serials the response speaks about, so the edge can drop it when one changes. */
  serials: z.array(SerialHexSchema).max(16),
  producedAt: IsoTimeSchema.optional(),
  thisUpdate: IsoTimeSchema.optional(),
  nextUpdate: IsoTimeSchema.optional(),
});
export type OcspRespondReply = z.infer<typeof OcspRespondReplySchema>;

/**
 * How the requester of an enrollee revocation showed it may revoke
 * (ADR 0035): `requester`, it is the identity that requested the
 * certificate (ca-core checks the request's requester name);
 * `certificate-key`, it proved possession of the certificate's private key
 * to the front door (e.g. an ACME revokeCert signed with that key); or
 * `authorizations`, it proved control of every name in the certificate
 * (an ACME account holding valid authorisations for them, RFC 8555 7.6):
 * the identity's `names` carry them, and ca-core checks that they cover
 * the certificate's.
 */
export const REVOCATION_PROOFS = ['requester', 'certificate-key', 'authorizations'] as const;
export const RevocationProofSchema = z.enum(REVOCATION_PROOFS);
export type RevocationProof = z.infer<typeof RevocationProofSchema>;

/** Reasons an enrollee may give: not certificateHold (6), whose release is an officer's. */
export const EnrolleeRevocationReasonSchema = RevocationReasonSchema.refine((n) => n !== 6, 'an enrollee cannot put a certificate on hold');

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');

/**
 * A front door asks ca-core to revoke a certificate for its requester
 * (ACME revokeCert). Only with an identity assertion for purpose `revoke`
 * that names this serial, reason and certificate (its SHA-256, so a
 * look-alike certificate with the same serial proves nothing).
 */
export const EnrolleeRevokeRequestSchema = z
  .object({
    serial: SerialHexSchema,
    reason: EnrolleeRevocationReasonSchema,
    identityAssertion: IdentityAssertionSchema,
  })
  .strict();
export type EnrolleeRevokeRequest = z.input<typeof EnrolleeRevokeRequestSchema>;
export type EnrolleeRevokeRequestParsed = z.output<typeof EnrolleeRevokeRequestSchema>;

/** The claims of an assertion for an enrollee revocation (besides iss, aud, iat, nbf, exp). */
export const RevokeIdentityClaimsSchema = z.object({
  purpose: z.literal('revoke'),
  identity: IdentitySchema,
  serial: SerialHexSchema,
  reason: EnrolleeRevocationReasonSchema,
  proof: RevocationProofSchema,
  /** SHA-256 (lower-case hex) of the certificate's DER as the requester presented it. */
  certificateSha256: Sha256Hex,
});
export type RevokeIdentityClaims = z.input<typeof RevokeIdentityClaimsSchema>;
