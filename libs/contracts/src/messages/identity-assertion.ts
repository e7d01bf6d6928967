import { createHash } from 'node:crypto';
import { z } from 'zod';
import { assertCaName } from '../ca-name';
import { IdempotencyKeySchema, RequestIdSchema } from './common';
import { IdentitySchema } from './identity';

/**
 * A front door's signed statement of who is asking (ADR 0026): a compact
 * JWS (EdDSA) with header `typ` IDENTITY_ASSERTION_TYPE, issuer the front
 * door's name, audience `ca-core:<ca>`, valid IDENTITY_ASSERTION_TTL_SECONDS.
 * ca-core believes an identity only from such an assertion (or from the
 * subject a bus submitter published on); everything else is anonymous.
 */
export const IDENTITY_ASSERTION_TYPE = 'signet-identity+jwt';
export const IDENTITY_ASSERTION_TTL_SECONDS = 60;

/**
 * The front doors that sign identities, by the issuer name they sign as.
 * A front door may assert method `service` only for itself (principal =
 * its issuer name): the intermediary asking for its own TLS certificate.
 */
export const FRONT_DOORS = ['intermediary'] as const;
export type FrontDoor = (typeof FRONT_DOORS)[number];

/** The audience of an identity assertion for one CA: only that CA's ca-core acts on it. */
export function identityAudience(ca: string): string {
  return `ca-core:${assertCaName(ca)}`;
}

/** A compact JWS: three base64url parts. Bounded so a message cannot carry an unbounded token. */
export const IDENTITY_ASSERTION_MAX_CHARS = 65_536;
export const IdentityAssertionSchema = z
  .string()
  .min(1)
  .max(IDENTITY_ASSERTION_MAX_CHARS)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'identity assertion must be a compact JWS')
  .meta({ description: "A front door's signed identity (ADR 0026), compact JWS" });

/**
 * What binds an assertion to one submit: the SHA-256 (lower-case hex) of
 * the `request` string and of the `attributes` string exactly as the
 * message carries them (UTF-8). The strings, not the CSR's DER: a front
 * door need not decode the CSR to sign for it, and the string determines
 * the DER ca-core decodes, so the CSR cannot be swapped under the
 * signature; nor can the attributes (template, SANs).
 */
export function submitDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');

/** The claims of an assertion for a submit (besides iss, aud, iat, nbf, exp). */
export const SubmitIdentityClaimsSchema = z.object({
  purpose: z.literal('submit'),
  identity: IdentitySchema,
  /** submitDigest(message.request) */
  requestSha256: Sha256HexSchema,
  /** submitDigest(message.attributes), after the schema's default ('') */
  attributesSha256: Sha256HexSchema,
  /** The message's idempotency key; absent when it has none. */
  idempotencyKey: IdempotencyKeySchema.optional(),
});
export type SubmitIdentityClaims = z.input<typeof SubmitIdentityClaimsSchema>;

/** The claims of an assertion for a retrieve: the requester reading one request back. */
export const RetrieveIdentityClaimsSchema = z.object({
  purpose: z.literal('retrieve'),
  identity: IdentitySchema,
  requestId: RequestIdSchema,
});
export type RetrieveIdentityClaims = z.input<typeof RetrieveIdentityClaimsSchema>;
