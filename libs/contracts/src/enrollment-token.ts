import { z } from 'zod';
import { LIMITS, SanTypeSchema, type SanType } from './messages/common';
import { type ProvenName } from './messages/identity';
import { lineText } from './text';

/**
 * One-time enrollment tokens (ADR 0031): a JWT an operator signs with an
 * enrollment key registered at the intermediary, authorising one request
 * for the names it lists. `signet token enroll` mints them; the
 * intermediary checks them. This file is the format both sides share; the
 * signature (jose) stays with them.
 */

/** The JOSE header `typ` every enrollment token carries, so no other JWT signed with the same key passes for one. */
export const ENROLLMENT_TOKEN_TYPE = 'signet-enrollment+jwt';

/** Signature algorithms an enrollment key may use; each key is pinned to exactly one. */
export const ENROLLMENT_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'EdDSA'] as const;
export type EnrollmentAlgorithm = (typeof ENROLLMENT_ALGORITHMS)[number];

/**
 * An enrollment key's name, which is also the `iss` of every token it
 * signs: no `:` or `/`, so it is never mistaken for an OIDC issuer URL and
 * `<iss>:<sub>` stays unambiguous.
 */
export const EnrollmentKeyNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'an enrollment key name is 1-64 letters, digits, . _ @ - (starting with a letter or digit)');

/**
 * The one algorithm a public key of this kind signs enrollment tokens
 * with: P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA, RSA (2048 bits or
 * more) → RS256. Anything else has none, and is refused where it is
 * registered. Takes what node:crypto's KeyObject reports, so it stays pure.
 */
export function enrollmentAlgorithmFor(key: { asymmetricKeyType?: string; namedCurve?: string; modulusLength?: number }): EnrollmentAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ec' && key.namedCurve === 'secp384r1') return 'ES384';
  if (key.asymmetricKeyType === 'rsa' && (key.modulusLength ?? 0) >= 2048) return 'RS256';
  return undefined;
}

const IpSchema = z.union([z.ipv4(), z.ipv6()]);
const isIP = (v: string): boolean => IpSchema.safeParse(v).success;

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name as a certificate carries it: labels of letters, digits and hyphens, a leading `*` label allowed. */
export function isDnsName(v: string): boolean {
  if (v.length > 253) return false;
  const labels = v.split('.');
  if (labels.length < 1) return false;
  return labels.every((l, i) => (i === 0 && l === '*' && labels.length > 2) || DNS_LABEL.test(l));
}

/**
 * A token's `sans` entry as a typed name: a string is read as an IP
 * address, a URI (`scheme:` with `//`), an email address (with `@`) or a
 * DNS name, in that order; `{type, value}` says the type outright (the
 * only way to name a `upn`). Undefined when the value is not a name of
 * that type.
 */
export function provenNameOf(entry: string | { type: SanType; value: string }): ProvenName | undefined {
  const { type, value } = typeof entry === 'string' ? { type: inferType(entry), value: entry } : entry;
  if (value.length === 0 || value.length > 1024) return undefined;
  switch (type) {
    case 'ip':
      return isIP(value) ? { type, value } : undefined;
    case 'uri':
      return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value) ? { type, value } : undefined;
    case 'email':
    case 'upn':
      return /^[^\s@]+@[^\s@]+$/.test(value) ? { type, value } : undefined;
    case 'dns':
      return isDnsName(value) ? { type, value: value.toLowerCase() } : undefined;
  }
}

function inferType(v: string): SanType {
  if (isIP(v)) return 'ip';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) return 'uri';
  if (v.includes('@')) return 'email';
  return 'dns';
}

const SanEntrySchema = z.union([lineText(z.string().min(1).max(1024)), z.object({ type: SanTypeSchema, value: lineText(z.string().min(1).max(1024)) }).strict()]);

/** Subject attribute types a token may vouch for. */
export const TOKEN_SUBJECT_TYPES = ['CN', 'O', 'OU', 'C', 'ST', 'L', 'emailAddress', 'serialNumber', 'DC', 'UID'] as const;

/**
 * The claims of an enrollment token beyond the registered ones jose checks
 * (`iss`, `aud`, `exp`, `nbf`, `iat`). Unknown claims are ignored, as JWT
 * consumers do.
 */
export const EnrollmentTokenClaimsSchema = z.object({
  iss: EnrollmentKeyNameSchema,
  /** The principal: who or what the token was minted for (a host name, a job id). */
  sub: lineText(z.string().min(1).max(128)),
  /** Unique per token: the one-time id ca-core records. */
  jti: z
    .string()
    .min(16, 'jti must be at least 16 characters (128 bits of randomness, base64url)')
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'jti must be printable ASCII without spaces'),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  /** The names it authorises; none when absent. */
  sans: z.array(SanEntrySchema).max(LIMITS.sanCount).optional(),
  /** The one template it may be used with. */
  template: lineText(z.string().min(1).max(128)).optional(),
  groups: z.array(lineText(z.string().min(1).max(256))).max(64).optional(),
  subject: z
    .array(z.object({ type: z.enum(TOKEN_SUBJECT_TYPES), value: lineText(z.string().min(1).max(1024)) }).strict())
    .min(1)
    .max(LIMITS.rdnCount)
    .optional(),
});
export type EnrollmentTokenClaims = z.infer<typeof EnrollmentTokenClaimsSchema>;
