import { z } from 'zod';
import { lineText } from '../text';
import { adminCommand } from './admin';
import { IdempotencyKeySchema, IsoTimeSchema, LIMITS, RequestIdSchema } from './common';
import { IdentitySchema, ProvenNameSchema } from './identity';

/**
 * Enrollment secrets (ADR 0032): one-time passwords an officer creates for
 * one enrollee, bound to names, a template and groups. ca-core stores only
 * the SHA-256 of each; the intermediary asks ca-core to check the one a
 * client presents (EST Basic authentication, a SCEP challengePassword).
 *
 * The credential as handed out is `<id>:<secret>`: `es-` and 16 hex digits,
 * a colon, 64 hex digits (256 random bits). Only letters, digits, `-` and
 * `:`, so it is a valid PrintableString (SCEP challengePassword) and, split
 * at the colon, a Basic user-id and password (EST: `curl -u "$(cat f)"`).
 */
export const ENROLLMENT_SECRET_ID_PATTERN = /^es-[0-9a-f]{16}$/;
export const ENROLLMENT_SECRET_PATTERN = /^[0-9a-f]{64}$/;
export const EnrollmentSecretIdSchema = z
  .string()
  .regex(ENROLLMENT_SECRET_ID_PATTERN, 'an enrollment secret id is es- and 16 lower-case hex digits')
  .meta({ description: 'An enrollment secret\'s id: `es-` and 16 lower-case hex digits (the part before the colon)' });

/** How long a secret may live: 7 days unless the officer says otherwise, never more than 90. */
export const ENROLLMENT_SECRET_TTL = { defaultSeconds: 7 * 86_400, minSeconds: 60, maxSeconds: 90 * 86_400 } as const;

/** The identity's `oneTime` for a secret: ca-core refuses a second request carrying it. */
export const ENROLLMENT_SECRET_ONE_TIME_PREFIX = 'enrollment-secret:';
export const enrollmentSecretOneTime = (id: string): string => `${ENROLLMENT_SECRET_ONE_TIME_PREFIX}${id}`;
/** The secret id in a one-time id, or undefined when it is not a secret's. */
export function enrollmentSecretIdOfOneTime(oneTime: string): string | undefined {
  if (!oneTime.startsWith(ENROLLMENT_SECRET_ONE_TIME_PREFIX)) return undefined;
  const id = oneTime.slice(ENROLLMENT_SECRET_ONE_TIME_PREFIX.length);
  return ENROLLMENT_SECRET_ID_PATTERN.test(id) ? id : undefined;
}

/** Splits a presented credential `<id>:<secret>` (a SCEP challengePassword), or undefined when it has no colon. */
export function splitEnrollmentCredential(credential: string): { id: string; secret: string } | undefined {
  const at = credential.indexOf(':');
  return at < 0 ? undefined : { id: credential.slice(0, at), secret: credential.slice(at + 1) };
}

const TemplateNameSchema = lineText(z.string().min(1).max(128));
const GroupsSchema = z.array(lineText(z.string().min(1).max(256))).max(64);
const SubjectSchema = IdentitySchema.shape.subject;

export const ENROLLMENT_SECRET_STATES = ['active', 'used', 'expired', 'revoked'] as const;
export const EnrollmentSecretStateSchema = z.enum(ENROLLMENT_SECRET_STATES);

/** ca-core: create one (officer). The answer carries the credential, this once. */
export const CreateEnrollmentSecretSchema = adminCommand({
  /** What the enrollee may have certified, typed as SANs (the identity's proven names). */
  names: z.array(ProvenNameSchema).min(1).max(LIMITS.sanCount),
  /** Subject attributes the officer vouches for (`[{type:'CN', value:'…'}]`), for templates that build the subject from the identity. */
  subject: SubjectSchema,
  /** The one template the secret enrolls under. */
  template: TemplateNameSchema,
  groups: GroupsSchema.default([]),
  /** Lifetime in seconds from now: 60 s to 90 days, 7 days by default. */
  ttlSeconds: z.number().int().min(ENROLLMENT_SECRET_TTL.minSeconds).max(ENROLLMENT_SECRET_TTL.maxSeconds).default(ENROLLMENT_SECRET_TTL.defaultSeconds),
  /** Who or what it is for, for the officer's list (never part of the identity). */
  note: lineText(z.string().min(1).max(256)).optional(),
});

/** A secret as listed: never the secret, never its hash. */
export const EnrollmentSecretRecordSchema = z
  .object({
    id: EnrollmentSecretIdSchema,
    state: EnrollmentSecretStateSchema,
    names: z.array(ProvenNameSchema),
    subject: SubjectSchema,
    template: z.string(),
    groups: z.array(z.string()),
    note: z.string().nullable(),
    createdBy: z.string(),
    createdAt: IsoTimeSchema,
    expiresAt: IsoTimeSchema,
    usedAt: IsoTimeSchema.nullable(),
    usedByRequestId: RequestIdSchema.nullable(),
    revokedAt: IsoTimeSchema.nullable(),
    revokedBy: z.string().nullable(),
  })
  .meta({ id: 'EnrollmentSecret', description: 'An enrollment secret without the secret: bound names, template, groups, who made it, its state' });
export type EnrollmentSecretRecord = z.infer<typeof EnrollmentSecretRecordSchema>;

export const CreateEnrollmentSecretReplySchema = EnrollmentSecretRecordSchema.extend({
  /** `<id>:<secret>`, shown once; only the secret's SHA-256 is stored. */
  secret: z.string(),
}).meta({ id: 'EnrollmentSecretCreated', description: 'The new secret; `secret` is shown this once' });

/** ca-core: list (officer, auditor, viewer, ca-admin: any role), newest first. */
export const ListEnrollmentSecretsSchema = adminCommand({
  state: EnrollmentSecretStateSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export const ListEnrollmentSecretsReplySchema = z.object({ secrets: z.array(EnrollmentSecretRecordSchema) });

/** ca-core: revoke an active secret (officer). */
export const RevokeEnrollmentSecretSchema = adminCommand({ id: EnrollmentSecretIdSchema });
export const RevokeEnrollmentSecretReplySchema = EnrollmentSecretRecordSchema;

/**
 * intermediary → ca-core: does this presented credential hold? The secret
 * travels to ca-core as presented (ca-core hashes it), so a copy of the
 * stored hashes is no credential even for someone who can publish here.
 * Only the intermediary's NATS user may publish it.
 */
export const CheckEnrollmentSecretSchema = z
  .object({
    /** As presented: checked by ca-core, so a malformed one gets the same refusal as a wrong one. */
    id: z.string().max(64),
    secret: z.string().max(LIMITS.retrievalSecretChars),
    /**
     * The idempotency key of a retried submit (EST's device sending the
     * same request again after a 202, RFC 7030 §4.2.3). A secret that
     * request already spent still holds for it: the row's
     * `used_by_request_id` must be the request stored under this key, and
     * the submit then answers that request (an idempotent replay), never a
     * second one.
     */
    retryOf: IdempotencyKeySchema.optional(),
  })
  .strict();
/** What the secret binds; the front door makes the identity of it. */
export const EnrollmentSecretBindingSchema = z.object({
  id: EnrollmentSecretIdSchema,
  names: z.array(ProvenNameSchema),
  subject: SubjectSchema,
  template: z.string(),
  groups: z.array(z.string()),
  /** `enrollment-secret:<id>`: the identity's oneTime. */
  oneTime: z.string(),
  createdBy: z.string(),
  expiresAt: IsoTimeSchema,
});
export type EnrollmentSecretBinding = z.infer<typeof EnrollmentSecretBindingSchema>;

/** The one refusal of a check, whatever was wrong (unknown, wrong, expired, revoked, used, malformed). */
export const ENROLLMENT_SECRET_REFUSED = { message: 'enrollment secret not accepted', reason: 'invalid_enrollment_secret' } as const;
