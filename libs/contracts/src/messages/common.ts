import { z } from 'zod';
import { lineText } from '../text';

/** Limits shared by every edge. */
export const LIMITS = {
  /** A PKCS#10 request, PEM or base64. RSA-16384 CSRs stay well below this. */
  requestChars: 65_536,
  /** One certificate given to the CA (ImportCertificate), PEM or base64; 16 KiB of DER. */
  certificateChars: 24_576,
  /** The raw AD CS attribute string. */
  attributesChars: 16_384,
  attributeCount: 64,
  attributeNameChars: 127,
  attributeValueChars: 4_096,
  idempotencyKeyChars: 200,
  requesterChars: 256,
  /** A retrieval secret as a client may send it (Signet's are 47 characters). */
  retrievalSecretChars: 256,
  extensionCount: 64,
  extensionValueChars: 16_384,
  sanCount: 100,
  rdnCount: 32,
  /** Largest bus message any Signet subject accepts. */
  busMessageBytes: 1_048_576,
} as const;

export const IsoTimeSchema = z.iso.datetime({ offset: true });
/** A retried submit with the same key returns the first result. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(LIMITS.idempotencyKeyChars)
  .regex(/^[\x21-\x7e]+$/, 'idempotency key must be printable ASCII without spaces');
export const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const PemSchema = z.string().min(1).max(262_144).regex(/-----BEGIN [A-Z0-9 ]+-----/, 'must be PEM').meta({ description: 'PEM text' });
export const OidSchema = z.string().max(128).regex(/^[0-2](\.(0|[1-9][0-9]*))+$/, 'must be a dotted OID');
export const SerialHexSchema = z
  .string()
  .regex(/^(?:[0-9a-f]{2})+$/, 'serial must be an even number of lower-case hex digits')
  .max(64)
  .meta({ description: 'Certificate serial: lower-case hex, an even number of digits' });
export const RequestIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** One attribute of one RDN. `type` is a short name (CN, O, ...) or a dotted OID. */
export const RdnSchema = z.object({
  type: z.string().min(1).max(128),
  value: z.string().max(1024),
});
export type Rdn = z.infer<typeof RdnSchema>;

/** A distinguished name as a list of single-valued RDNs, most significant first. */
export const NameSchema = z.array(RdnSchema).max(LIMITS.rdnCount);
export type Name = z.infer<typeof NameSchema>;

/**
 * A name ca-core is given to store or to sign (a policy module's subject):
 * no control characters (ADR 0022). Names ca-core sends out keep the plain
 * NameSchema, so a row written before that rule can still be read.
 */
export const CheckedNameSchema = z
  .array(z.object({ type: lineText(z.string().min(1).max(128)), value: lineText(z.string().max(1024)) }))
  .max(LIMITS.rdnCount);

export const SAN_TYPES = ['dns', 'email', 'ip', 'uri', 'upn'] as const;
export const SanTypeSchema = z.enum(SAN_TYPES);
export type SanType = z.infer<typeof SanTypeSchema>;
export const SanSchema = z.object({ type: SanTypeSchema, value: z.string().min(1).max(1024) });
export type San = z.infer<typeof SanSchema>;

/** Where an extension came from (AD CS EXTENSION_ORIGIN_*). */
export const EXTENSION_ORIGINS = ['request', 'policy', 'admin', 'server'] as const;
export const ExtensionOriginSchema = z.enum(EXTENSION_ORIGINS);
export type ExtensionOrigin = z.infer<typeof ExtensionOriginSchema>;

/** An extension as stored and as shown to modules: DER value in base64. */
export const ExtensionSchema = z
  .object({
    oid: OidSchema,
    critical: z.boolean(),
    value: Base64Schema.max(LIMITS.extensionValueChars).meta({ description: 'DER, base64' }),
    origin: ExtensionOriginSchema,
    /** AD CS EXTENSION_DISABLE: kept in the database, left out of the certificate. */
    disabled: z.boolean().meta({ description: 'EXTENSION_DISABLE: stored, left out of the certificate' }),
  })
  .meta({ id: 'Extension' });
export type Extension = z.infer<typeof ExtensionSchema>;

export const KEY_ALGORITHMS = ['rsa', 'ec', 'ed25519', 'ed448', 'unknown'] as const;
export const PublicKeyInfoSchema = z.object({
  algorithm: z.enum(KEY_ALGORITHMS),
  /** Modulus bits for RSA, field size for EC, 256/456 for EdDSA. */
  bits: z.number().int().nonnegative(),
  /** Named curve for EC keys (P-256, P-384, P-521). */
  curve: z.string().max(64).optional(),
  /** SHA-256 of the SubjectPublicKeyInfo, hex. */
  spkiSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type PublicKeyInfo = z.infer<typeof PublicKeyInfoSchema>;
