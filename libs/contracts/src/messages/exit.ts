import { z } from 'zod';
import { DISPOSITIONS, REQUEST_TYPES } from '../enums/disposition';
import { EXIT_EVENTS } from '../enums/events';
import { ExtensionSchema, IsoTimeSchema, PemSchema, RequestIdSchema, SerialHexSchema } from './common';
import { CaInfoSchema } from './policy';
import { IdentitySchema } from './identity';
import { ModuleRegisterSchema } from './modules';

/**
 * ICertServerExit: read-only, given the event's context (request id). The
 * subject offers no way to change anything.
 */
export const ExitReadRequestSchema = z.object({ requestId: RequestIdSchema }).strict();
export const ExitReadReplySchema = z.object({
  request: z.object({
    requestId: RequestIdSchema,
    disposition: z.enum(DISPOSITIONS),
    dispositionMessage: z.string(),
    requesterName: z.string(),
    /** Who submitted it, as ca-core verified it (ADR 0026); null for imported certificates and requests from before identities were recorded. */
    identity: IdentitySchema.nullable().default(null),
    /** `imported`: a certificate given to the CA by ImportCertificate; there is no certificate request then. */
    requestType: z.enum(REQUEST_TYPES),
    submittedWhen: IsoTimeSchema,
    resolvedWhen: IsoTimeSchema.nullable(),
    attributesRaw: z.string(),
    subject: z.string(),
    /** The PKCS#10, PEM; null for an imported certificate. */
    rawRequest: PemSchema.nullable(),
  }),
  attributes: z.record(z.string(), z.string()),
  extensions: z.array(ExtensionSchema),
  certificate: z
    .object({
      serial: SerialHexSchema,
      rawCertificate: PemSchema,
      certificateHash: z.string(),
      subject: z.string(),
      template: z.string().nullable(),
      notBefore: IsoTimeSchema,
      notAfter: IsoTimeSchema,
    })
    .nullable(),
});
export type ExitReadReply = z.infer<typeof ExitReadReplySchema>;

/**
 * ICertExit::Initialize as a roll call: ca-core asks every exit module on the
 * bus at its start (scatter-gather); each answers with its registration.
 */
export const ExitInitializeRequestSchema = z.object({ ca: CaInfoSchema.omit({ certificate: true }) }).strict();
export const ExitInitializeReplySchema = ModuleRegisterSchema;

/** A delivery that failed its last attempt, kept for an administrator to see and replay. */
export const DeadLetterSchema = z.object({
  id: z.string(),
  module: z.string(),
  eventId: z.string(),
  event: z.enum(EXIT_EVENTS),
  requestId: RequestIdSchema.optional(),
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: IsoTimeSchema,
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
export const DeadLetterListRequestSchema = z.object({ module: z.string().max(128).optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict();
export const DeadLetterListReplySchema = z.object({ deadLetters: z.array(DeadLetterSchema) });
/*
 * No request names who acts: admin-api's assertion (ADR 0028, audience
 * `exit-service:<ca>`) does, and an `actor` field is an unknown field.
 */
export const DeadLetterReplayRequestSchema = z.object({ id: z.string().min(1).max(128) }).strict();
export const DeadLetterReplayReplySchema = z.object({ id: z.string(), replayed: z.boolean(), result: z.string() });
/** Drops a dead letter an administrator decided not to deliver (the event stays in the CA's own records). */
export const DeadLetterDiscardRequestSchema = z.object({ id: z.string().min(1).max(128) }).strict();
export const DeadLetterDiscardReplySchema = z.object({ id: z.string(), module: z.string(), eventId: z.string(), discarded: z.literal(true) });
/**
 * Replays one module's dead letters, oldest first, after its receiver is
 * fixed: until `limit` are done, one fails (the receiver is still not
 * right: stop rather than hammer it), or about 10 s have passed (the
 * caller asks again while `remaining` > 0).
 */
export const DeadLetterReplayAllRequestSchema = z
  .object({ module: z.string().min(1).max(128), limit: z.number().int().min(1).max(1000).default(100) })
  .strict();
export const DeadLetterReplayAllReplySchema = z.object({
  module: z.string(),
  /** Delivered and removed. */
  replayed: z.number().int().nonnegative(),
  /** The dead letter that failed again (it stays), and why; null when none did. */
  failed: z.object({ id: z.string(), result: z.string() }).nullable(),
  /** Dead letters of the module still there. */
  remaining: z.number().int().nonnegative(),
});

/**
 * How far behind each of exit-service's modules is (EJBCA calls it the
 * publisher queue), read from its durable consumers and dead letters; any
 * replica answers (the consumers are shared). Modules run by other
 * processes are not in it: their consumers are theirs (`nats consumer info`).
 */
export const ExitStatusRequestSchema = z.object({}).strict();
export const ExitModuleStatusSchema = z.object({
  name: z.string(),
  description: z.string(),
  events: z.array(
    z.object({
      event: z.enum(EXIT_EVENTS),
      /** The durable consumer: exit_<ca>_<module>_<event>. */
      consumer: z.string(),
      /** Events in the stream the module has not been given yet. */
      pending: z.number().int().nonnegative(),
      /** Given to the module, not yet done: in delivery, or failed and waiting for the next attempt. */
      inFlight: z.number().int().nonnegative(),
      /** Of those, delivered more than once. */
      redelivered: z.number().int().nonnegative(),
      /** When the module was last given an event of this kind; null: not since the consumer was made. */
      lastDelivered: IsoTimeSchema.nullable(),
    }),
  ),
  /** Events it gave up on (list and replay: exit.<ca>.deadletters.*). */
  deadLetters: z.number().int().nonnegative(),
});
export type ExitModuleStatus = z.infer<typeof ExitModuleStatusSchema>;
export const ExitStatusReplySchema = z.object({ modules: z.array(ExitModuleStatusSchema) });
export type ExitStatusReply = z.infer<typeof ExitStatusReplySchema>;
