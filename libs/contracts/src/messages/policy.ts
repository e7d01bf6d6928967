import { z } from 'zod';
import { VERDICTS } from '../enums/disposition';
import {
  Base64Schema,
  ExtensionSchema,
  IsoTimeSchema,
  LIMITS,
  CheckedNameSchema,
  NameSchema,
  OidSchema,
  PemSchema,
  PublicKeyInfoSchema,
  RequestIdSchema,
  SanSchema,
} from './common';
import { freeText, lineText } from '../text';
import { CheckedDecidingRuleSchema } from './submit';
import { IdentitySchema } from './identity';

/** The CA as the policy module sees it (ICertPolicy::Initialize's strConfig, richer). */
export const CaInfoSchema = z.object({
  name: z.string(),
  config: z.string(),
  subject: NameSchema,
  certificate: PemSchema,
  notBefore: IsoTimeSchema,
  notAfter: IsoTimeSchema,
  keyAlgorithm: z.string(),
});
export type CaInfo = z.infer<typeof CaInfoSchema>;

/** ICertPolicy::Initialize. */
export const PolicyInitRequestSchema = z.object({ ca: CaInfoSchema }).strict();
export type PolicyInitRequest = z.infer<typeof PolicyInitRequestSchema>;
export const PolicyInitReplySchema = z.object({
  name: lineText(z.string().min(1).max(128)),
  description: lineText(z.string().max(1024)),
  version: lineText(z.string().max(64)),
  /** Template names this policy offers (CA property Templates). */
  templates: z.array(lineText(z.string().max(128))).max(256),
});
export type PolicyInitReply = z.infer<typeof PolicyInitReplySchema>;

/**
 * ICertPolicy::VerifyRequest with the ICertServerPolicy reads done up front:
 * one snapshot of the request and of the certificate the CA proposes.
 */
export const PolicyVerifyRequestSchema = z
  .object({
    requestId: RequestIdSchema,
    /** TRUE for a new request, FALSE for an administrator's resubmit. */
    newRequest: z.boolean(),
    request: z.object({
      requestType: z.literal('pkcs10'),
      submittedWhen: IsoTimeSchema,
      requesterName: z.string(),
      /** The raw attribute string as submitted. */
      attributesRaw: z.string(),
      /** Parsed attributes, names in their canonical form (lower-case, no spaces or dashes). */
      attributes: z.record(z.string(), z.string()),
      subject: NameSchema,
      subjectAltNames: z.array(SanSchema).max(LIMITS.sanCount),
      publicKey: PublicKeyInfoSchema,
      /** Extensions the CSR asked for (origin request). */
      extensions: z.array(ExtensionSchema).max(LIMITS.extensionCount),
      /** Which signature algorithm signed the CSR. */
      signatureAlgorithm: OidSchema,
    }),
    /**
     * Who asked, as a front door proved it (ADR 0026): the method, the
     * principal, the names it proved, its groups. `request.requesterName`
     * is `<method>:<principal>` of the same identity.
     */
    identity: IdentitySchema,
    /** The certificate the CA would build now; the policy may change it. */
    certificate: z.object({
      subject: NameSchema,
      notBefore: IsoTimeSchema,
      notAfter: IsoTimeSchema,
      /** Extensions set so far (by the policy on an earlier pass, or an admin). */
      extensions: z.array(ExtensionSchema).max(LIMITS.extensionCount),
      template: z.string().nullable(),
    }),
    ca: CaInfoSchema.omit({ certificate: true }),
  })
  .strict();
export type PolicyVerifyRequest = z.infer<typeof PolicyVerifyRequestSchema>;

/** SetCertificateExtension: DER value, critical flag, or disable it. */
export const ExtensionChangeSchema = z.object({
  oid: OidSchema,
  critical: z.boolean().default(false),
  /** DER of the extension value (the OCTET STRING's contents), base64. */
  value: Base64Schema.max(LIMITS.extensionValueChars).optional(),
  /** Keep in the database, leave out of the certificate (EXTENSION_DISABLE). */
  disabled: z.boolean().default(false),
});
export type ExtensionChange = z.input<typeof ExtensionChangeSchema>;

export const PolicyVerifyReplySchema = z.object({
  verdict: z.enum(VERDICTS),
  message: freeText(z.string().max(4096)),
  decidedBy: CheckedDecidingRuleSchema.optional(),
  /**
   * The template this verdict applies is a CA template: the certificate may
   * be a CA certificate (cA TRUE, keyCertSign, cRLSign, pathLenConstraint).
   * Absent or false: ca-core refuses every one of them (LINT_FAILED); true:
   * only where the CA allows subordinate CA issuance (ADR 0023).
   */
  caTemplate: z.boolean().default(false),
  changes: z
    .object({
      subject: CheckedNameSchema.optional(),
      /** Validity may only narrow; the CA enforces it. */
      notBefore: IsoTimeSchema.optional(),
      notAfter: IsoTimeSchema.optional(),
      /** CertificateTemplate certificate property. */
      template: lineText(z.string().max(128)).optional(),
      extensions: z.array(ExtensionChangeSchema).max(LIMITS.extensionCount).optional(),
    })
    .default({}),
});
export type PolicyVerifyReply = z.input<typeof PolicyVerifyReplySchema>;
export type PolicyVerifyReplyParsed = z.output<typeof PolicyVerifyReplySchema>;
