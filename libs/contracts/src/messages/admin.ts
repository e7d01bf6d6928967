import { z } from 'zod';
import { DISPOSITIONS, REQUEST_TYPES } from '../enums/disposition';
import { Base64Schema, ExtensionSchema, IsoTimeSchema, LIMITS, OidSchema, PemSchema, RequestIdSchema, SerialHexSchema } from './common';
import { freeText, lineText } from '../text';
import { DecidingRuleSchema } from './submit';
import { IdentitySchema } from './identity';

/**
 * Administration (ICertAdmin / ICertView), admin-api → ca-core. admin-api
 * authenticates the caller and signs who they are into an admin assertion
 * that travels with each command (`AdminAssertion`, ADR 0028); ca-core takes
 * the actor from that assertion only, checks the roles again, records the
 * actor in the audit log and enforces the request state machine. The
 * messages carry no actor: one written in a body would be a claim, and it is
 * refused as an unknown field. Only admin-api may publish on
 * `ca.<ca>.admin.>` (NATS permissions); the assertion is the second wall.
 */

/** AD CS-like roles (CA_ACCESS_*). Enrollees are not admins. */
export const ROLES = ['ca-admin', 'officer', 'auditor', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'ca-admin (CA administrator), officer (certificate manager), auditor, viewer (read-only)' });
export type Role = z.infer<typeof RoleSchema>;

/**
 * The AD CS roles role separation keeps apart (CA Administrator, Certificate
 * Manager, Auditor): with it on, a caller holding two or more of them makes
 * no management call. `viewer` is AD CS's Read permission, not a role.
 * admin-api and ca-core both check it (ADR 0007, ADR 0023).
 */
export const SEPARATED_ROLES: readonly Role[] = ['ca-admin', 'officer', 'auditor'];

/** Why a call was refused: `details.reason` of a FORBIDDEN error, from admin-api or ca-core. */
export const ForbiddenReason = {
  /** The caller holds none of the roles the call needs. */
  MissingRole: 'MISSING_ROLE',
  /** Role separation is on and the caller holds two or more separated roles. */
  RoleSeparation: 'ROLE_SEPARATION',
  /** Role separation is on and the officer would approve a request they submitted themselves. */
  SelfApproval: 'SELF_APPROVAL',
} as const;
export type ForbiddenReason = (typeof ForbiddenReason)[keyof typeof ForbiddenReason];

export const ActorSchema = z.object({
  /** Principal name as authenticated by admin-api (token name or certificate subject). */
  name: lineText(z.string().min(1).max(256)),
  roles: z.array(RoleSchema).max(ROLES.length),
});
export type Actor = z.infer<typeof ActorSchema>;

/** An admin command's message: its fields only, strict (the actor comes from the assertion). */
export const adminCommand = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

/** ICertAdmin::ResubmitRequest — pending or denied → the policy runs again with newRequest=false. */
export const ResubmitRequestSchema = adminCommand({ requestId: RequestIdSchema });
/** ICertAdmin::DenyRequest — pending only. */
export const DenyRequestSchema = adminCommand({ requestId: RequestIdSchema, reason: lineText(z.string().max(1024)).optional() });
/** ICertAdmin::SetRequestAttributes — pending only; the raw attribute string never changes. */
export const SetAttributesRequestSchema = adminCommand({
  requestId: RequestIdSchema,
  /** AD CS form, `name:value` lines. */
  attributes: freeText(z.string().min(1).max(LIMITS.attributesChars)),
});

/**
 * ICertAdmin::SetCertificateExtension value: DER as-is (PROPTYPE_BINARY),
 * or typed (STRING is encoded as IA5String, LONG as INTEGER, DATE as Time).
 */
export const ExtensionValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('der'), value: Base64Schema.min(1).max(LIMITS.extensionValueChars) }),
  z.object({ type: z.literal('string'), value: lineText(z.string().max(4096)) }),
  z.object({ type: z.literal('long'), value: z.number().int().min(-2147483648).max(2147483647) }),
  z.object({ type: z.literal('date'), value: IsoTimeSchema }),
]);
export type ExtensionValue = z.infer<typeof ExtensionValueSchema>;

/** ICertAdmin::SetCertificateExtension — pending only; origin admin. */
export const SetExtensionRequestSchema = adminCommand({
  requestId: RequestIdSchema,
  oid: OidSchema,
  critical: z.boolean().default(false),
  /** EXTENSION_DISABLE: keep it out of the certificate. */
  disabled: z.boolean().default(false),
  value: ExtensionValueSchema,
});

/** RFC 5280 CRLReason codes (7 is unused). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export const RevocationReasonSchema = z.number().int().min(0).max(10).refine((n) => n !== 7 && n !== 8, 'reason must be an RFC 5280 CRLReason other than 7 and removeFromCRL (8)');

/** ICertAdmin::RevokeCertificate — repeatable (changes reason or date). */
export const RevokeRequestSchema = adminCommand({
  serial: SerialHexSchema,
  reason: RevocationReasonSchema,
  /** When the revocation takes effect; default now. */
  effectiveAt: IsoTimeSchema.optional(),
  /** When the key is known or suspected to have been compromised (invalidityDate). */
  invalidityDate: IsoTimeSchema.optional(),
});
/** RevokeCertificate with MAXDWORD: release from hold; only from certificateHold. */
export const ReleaseRequestSchema = adminCommand({ serial: SerialHexSchema });
/**
 * ICertAdmin::ImportCertificate: a certificate this CA issued that its
 * database does not hold (issued before a restore from backup, or before
 * the CA moved to Signet). ca-core checks that the CA's key signed it and
 * that its serial is new, then records it as issued (request type
 * `imported`) and emits certificate.imported. One certificate, PEM.
 * Foreign certificates (ICF_ALLOWFOREIGN) are not accepted.
 */
export const ImportCertificateRequestSchema = adminCommand({ certificate: PemSchema.max(LIMITS.certificateChars) });

/** ICertAdmin::IsValidCertificate. */
export const CertStatusRequestSchema = adminCommand({ serial: SerialHexSchema });

export const CertificateStatusSchema = z.object({
  serial: SerialHexSchema,
  status: z.enum(['valid', 'revoked', 'unknown']),
  /** CA_DISP_*: REVOKED=2, VALID=3, INVALID=4 (unknown serial). */
  caDisposition: z.number().int(),
  requestId: RequestIdSchema.optional(),
  reason: z.number().int().optional(),
  revokedAt: IsoTimeSchema.optional(),
  effectiveAt: IsoTimeSchema.optional(),
  invalidityDate: IsoTimeSchema.optional(),
  notAfter: IsoTimeSchema.optional(),
}).meta({ id: 'CertificateStatus' });
export type CertificateStatus = z.infer<typeof CertificateStatusSchema>;

/** A request with everything about it (ICertView row + attribute and extension tables). */
export const GetRequestSchema = adminCommand({ requestId: RequestIdSchema });
export const RequestDetailSchema = z.object({
  requestId: RequestIdSchema,
  disposition: z.enum(DISPOSITIONS),
  dispositionCode: z.number().int(),
  message: z.string(),
  statusCode: z.number().int(),
  decidedBy: DecidingRuleSchema.nullable(),
  /** `<method>:<principal>` of the identity (AD CS RequesterName); for an imported certificate, the officer who imported it. */
  requesterName: z.string(),
  /** Who submitted it, as ca-core verified it (ADR 0026); null for imported certificates and requests from before identities were recorded. */
  identity: IdentitySchema.nullable().default(null),
  subject: z.string(),
  template: z.string().nullable(),
  submittedAt: IsoTimeSchema,
  resolvedAt: IsoTimeSchema.nullable(),
  /** The raw AD CS attribute string as submitted (never changes). */
  attributesRaw: z.string(),
  attributes: z.array(z.object({ name: z.string(), displayName: z.string(), value: z.string(), origin: z.enum(['request', 'admin']) })),
  extensions: z.array(ExtensionSchema),
  /** `imported` for a certificate given to the CA by ImportCertificate. */
  requestType: z.enum(REQUEST_TYPES),
  /** The PKCS#10, PEM; null for an imported certificate (there was no request). */
  request: PemSchema.nullable(),
  certificate: z
    .object({ serial: SerialHexSchema, pem: PemSchema, notBefore: IsoTimeSchema, notAfter: IsoTimeSchema, status: CertificateStatusSchema })
    .optional(),
}).meta({ id: 'RequestDetail', description: 'A request with its attributes (origin request/admin), extensions, the CSR, and the certificate with its status' });
export type RequestDetail = z.infer<typeof RequestDetailSchema>;

export const GetCertificateSchema = adminCommand({ serial: SerialHexSchema });

/** ICertView: presets, filters on AD CS column names, sort, cursor paging, total count. */
export const VIEW_COLUMNS = [
  'RequestID',
  'Disposition',
  'RequesterName',
  'CertificateTemplate',
  'Subject',
  'SerialNumber',
  'NotBefore',
  'NotAfter',
  'SubmittedWhen',
  'ResolvedWhen',
  'RevokedWhen',
  'RevokedReason',
  /** `pkcs10`, or `imported` (ImportCertificate): `RequestType eq imported` lists the imported certificates. */
  'RequestType',
] as const;
export const ViewColumnSchema = z.enum(VIEW_COLUMNS);
export type ViewColumn = z.infer<typeof ViewColumnSchema>;
export const VIEW_PRESETS = ['queue', 'issued', 'revoked', 'failed', 'all'] as const;

export const ViewRequestSchema = adminCommand({
  /** queue = pending (and in process); issued; revoked; failed = failed and denied; all. */
  preset: z.enum(VIEW_PRESETS).default('all'),
  filters: z
    .array(
      z.object({
        column: ViewColumnSchema,
        op: z.enum(['eq', 'lt', 'le', 'ge', 'gt', 'prefix']),
        value: z.union([lineText(z.string().max(1024)), z.number()]),
      }),
    )
    .max(16)
    .default([]),
  sort: z.object({ column: ViewColumnSchema, direction: z.enum(['asc', 'desc']) }).default({ column: 'RequestID', direction: 'desc' }),
  limit: z.number().int().min(1).max(1000).default(100),
  /** Opaque, from the previous page. */
  cursor: z.string().max(2048).optional(),
  /** Count every matching row (costs a second query). */
  count: z.boolean().default(false),
});
export type ViewRequest = z.input<typeof ViewRequestSchema>;

export const ViewRowSchema = z.object({
  RequestID: RequestIdSchema,
  Disposition: z.enum(DISPOSITIONS),
  RequesterName: z.string(),
  CertificateTemplate: z.string().nullable(),
  Subject: z.string(),
  SerialNumber: SerialHexSchema.nullable(),
  NotBefore: IsoTimeSchema.nullable(),
  NotAfter: IsoTimeSchema.nullable(),
  SubmittedWhen: IsoTimeSchema,
  ResolvedWhen: IsoTimeSchema.nullable(),
  RevokedWhen: IsoTimeSchema.nullable(),
  RevokedReason: z.number().int().nullable(),
  DispositionMessage: z.string(),
  RequestType: z.enum(REQUEST_TYPES),
}).meta({ id: 'ViewRow', description: 'One row, keyed by AD CS column names' });
export type ViewRow = z.infer<typeof ViewRowSchema>;
/** A view row's columns in AD CS names, in certutil -view order (the export's columns). */
export const VIEW_ROW_COLUMNS = Object.keys(ViewRowSchema.shape) as (keyof ViewRow)[];
export const ViewReplySchema = z.object({
  rows: z.array(ViewRowSchema),
  nextCursor: z.string().nullable(),
  total: z.number().int().nonnegative().nullable(),
});
export type ViewReply = z.infer<typeof ViewReplySchema>;

export const ListModulesSchema = adminCommand({});
export const ModuleListSchema = z.object({
  modules: z.array(
    z.object({
      kind: z.enum(['policy', 'exit']),
      name: z.string(),
      description: z.string(),
      version: z.string(),
      eventMask: z.number().int(),
      firstSeen: IsoTimeSchema,
      lastSeen: IsoTimeSchema,
    }),
  ),
});

/** Audit log: list (auditor) and verify the hash chain (auditor). */
export const AuditListSchema = adminCommand({
  afterId: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(1000).default(100),
  requestId: RequestIdSchema.optional(),
});
export const AuditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: IsoTimeSchema,
  actor: z.string(),
  action: z.string(),
  requestId: RequestIdSchema.nullable(),
  serial: SerialHexSchema.nullable(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  /** hex SHA-256 over the previous hash and this entry's canonical form. */
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditListReplySchema = z.object({ entries: z.array(AuditEntrySchema) });
export const AuditVerifySchema = adminCommand({});
/**
 * Administration done elsewhere than in ca-core (exit-service's dead
 * letters) is recorded in ca-core's audit log before admin-api asks for it:
 * no such action without its record. ca-core checks the actor's role for
 * the action as it does for its own commands.
 */
export const AUDITED_ELSEWHERE = ['deadletter.replay', 'deadletter.replay-all', 'deadletter.discard'] as const;
export const AuditRecordRequestSchema = adminCommand({
  action: z.enum(AUDITED_ELSEWHERE),
  /** What it is done to: a dead letter's id, a module's name, a limit. */
  details: z
    .record(lineText(z.string().max(64)), z.union([lineText(z.string().max(256)), z.number()]))
    .refine((d) => Object.keys(d).length <= 8, 'at most 8 details'),
});
export const AuditRecordReplySchema = z.object({ id: z.number().int().positive(), seq: z.number().int().positive() });
export const AuditVerifyReplySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int().nonnegative(),
  /** The first entry where the chain breaks: edited, deleted before it, or reordered. */
  brokenAt: z.object({ id: z.number().int(), reason: z.string() }).nullable(),
});

/** Admin tokens (bearer), stored hashed in ca-core's database; admin-api authenticates with them. */
export const AuthenticateSchema = adminCommand({ tokenSha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const PrincipalSchema = z.object({ name: z.string(), roles: z.array(RoleSchema) });
export type Principal = z.infer<typeof PrincipalSchema>;
export const CreateTokenSchema = adminCommand({ name: z.string().min(1).max(128).regex(/^[A-Za-z0-9._@-]+$/), roles: z.array(RoleSchema).min(1).max(ROLES.length) });
export const CreateTokenReplySchema = z.object({ name: z.string(), roles: z.array(RoleSchema), /** Shown once; only its hash is stored. */ token: z.string() });

/**
 * Token revocation (ADR 0024). Every revocation raises the CA's revocation
 * epoch by one. ca-core answers each authentication with the epoch it read
 * in the same snapshot as the token, and announces each revocation with the
 * new epoch, so admin-api can tell a cached answer that may predate a
 * revocation (its epoch is lower) from one that cannot.
 */
const RevocationEpochSchema = z.number().int().nonnegative();
export const AuthenticateReplySchema = PrincipalSchema.extend({
  /** Absent from a ca-core older than ADR 0024 (read as 0). */
  epoch: RevocationEpochSchema.optional(),
});
export type AuthenticateReply = z.infer<typeof AuthenticateReplySchema>;
export const TokenNameSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._@-]+$/);
export const RevokeTokenSchema = adminCommand({ name: TokenNameSchema });
export const RevokeTokenReplySchema = z.object({ name: z.string(), revokedAt: IsoTimeSchema, epoch: RevocationEpochSchema });
/**
 * What ca-core publishes on `ca.<ca>.events.admin-token.revoked` after a
 * revocation commits (through the outbox, so one made by the bootstrap
 * command is announced too). `id` is also the JetStream message id.
 */
export const AdminTokenRevokedSchema = z.object({
  id: z.string().min(1).max(128),
  ca: z.string(),
  occurredAt: IsoTimeSchema,
  name: z.string(),
  epoch: RevocationEpochSchema,
});
export type AdminTokenRevokedNotice = z.infer<typeof AdminTokenRevokedSchema>;
