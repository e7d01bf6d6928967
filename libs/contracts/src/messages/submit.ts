import { z } from 'zod';
import { DISPOSITIONS } from '../enums/disposition';
import { freeText, lineText } from '../text';
import { IdentityAssertionSchema } from './identity-assertion';
import { IdempotencyKeySchema, LIMITS, PemSchema, RequestIdSchema, SerialHexSchema } from './common';

/** AD CS RequesterName of a caller nobody authenticated; it owns no request (it cannot read one back without the retrieval secret). */
export const ANONYMOUS_REQUESTER = 'anonymous';

/** ICertRequest::Submit — intermediary → ca-core. */
export const SubmitRequestSchema = z
  .object({
    /** PKCS#10 as PEM, or base64 of the DER. */
    request: z.string().min(1).max(LIMITS.requestChars),
    /** Only PKCS#10 today; CMC/PKCS#7 arrive with their protocols. */
    format: z.literal('pkcs10').default('pkcs10'),
    /** AD CS attribute string: `name:value` lines separated by `\n` (no other control characters). */
    attributes: freeText(z.string().max(LIMITS.attributesChars)).default(''),
    /** A retried submit with the same key returns the first result. */
    idempotencyKey: IdempotencyKeySchema.optional(),
    /**
     * Who asks, as a front door established it (ADR 0026): a compact JWS the
     * front door signed over the identity, this request and its idempotency
     * key (IdentityAssertionClaims). Absent: anonymous. Never on a bus
     * submitter's subject, whose identity is its NATS user.
     */
    identityAssertion: IdentityAssertionSchema.optional(),
  })
  .strict();
export type SubmitRequest = z.input<typeof SubmitRequestSchema>;
export type SubmitRequestParsed = z.output<typeof SubmitRequestSchema>;

const decidingRule = (text: (s: z.ZodString) => z.ZodString) =>
  z.object({
    rule: text(z.string().max(128)),
    field: text(z.string().max(128)).optional(),
    value: text(z.string().max(1024)).optional(),
  });

/** The rule that decided a verdict, so a denial says which rule, field, value. */
export const DecidingRuleSchema = decidingRule((s) => s).meta({ id: 'DecidedBy', description: 'The policy rule that decided, and the field and value it looked at' });
export type DecidingRule = z.infer<typeof DecidingRuleSchema>;
/** The deciding rule as a policy module sends it to be stored: one-line text (ADR 0022). */
export const CheckedDecidingRuleSchema = decidingRule(lineText);

/** The answer to Submit and RetrievePending. */
export const RequestResultSchema = z.object({
  requestId: RequestIdSchema,
  disposition: z.enum(DISPOSITIONS),
  /** CR_DISP_* number, for AD CS-minded clients. */
  dispositionCode: z.number().int().meta({ description: 'AD CS CR_DISP_* (3 issued, 5 pending, 2 denied, 1 error, 6 revoked)' }),
  message: z.string().max(4096),
  decidedBy: DecidingRuleSchema.optional(),
  /** Present when issued (or revoked): the leaf, PEM. */
  certificate: PemSchema.optional(),
  /** The issuing chain, leaf's issuer first, PEM each. */
  chain: z.array(PemSchema).max(8).optional().meta({ description: 'The issuer first, up to the root' }),
  serial: SerialHexSchema.optional(),
});
export type RequestResult = z.infer<typeof RequestResultSchema>;

/**
 * The HTTP header a retrieval secret travels in (never the URL, which gets
 * logged; not Authorization, which is for who the caller is).
 */
export const RETRIEVAL_SECRET_HEADER = 'Signet-Retrieval-Secret';

/**
 * What lets its holder read a request back (RetrievePending): `sgr_` and 32
 * random octets in base64url. ca-core makes it at submit, keeps only its
 * SHA-256, and shows it once, in the submit reply (ADR 0025).
 */
export const RetrievalSecretSchema = z
  .string()
  .regex(/^sgr_[A-Za-z0-9_-]{43}$/, 'retrieval secret must be sgr_ and 43 base64url characters')
  .meta({ description: 'Shown once: send it as the `Signet-Retrieval-Secret` header to read the request back. The CA keeps only its hash.' });

/**
 * The answer to Submit: the request's result and the secret that reads it
 * back. A repeated idempotency key answers a fresh secret, which replaces
 * the earlier one (only its hash was kept, so it cannot be shown again).
 */
export const SubmitResultSchema = RequestResultSchema.extend({ retrievalSecret: RetrievalSecretSchema });
export type SubmitResult = z.infer<typeof SubmitResultSchema>;

export const SUBMIT_SAMPLE: SubmitRequest = {
  request: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n',
  attributes: 'CertificateTemplate:WebServer',
  idempotencyKey: 'order-4711',
};

/**
 * ICertRequest::RetrievePending. Only the request's owner may read it: the
 * holder of its retrieval secret, or the identity that submitted it as a
 * front door signs it again for this request id (never `anonymous`).
 * Anyone else, and an unknown id, gets the same NOT_FOUND.
 */
export const RetrieveRequestSchema = z
  .object({
    requestId: RequestIdSchema,
    /** The secret from the submit reply, as the client sent it (checked by ca-core, so any string up to the limit). */
    retrievalSecret: z.string().min(1).max(LIMITS.retrievalSecretChars).optional(),
    /** Who asks, signed by a front door for this request id; absent: anonymous, who owns nothing. */
    identityAssertion: IdentityAssertionSchema.optional(),
  })
  .strict();
export type RetrieveRequest = z.input<typeof RetrieveRequestSchema>;
export type RetrieveRequestParsed = z.output<typeof RetrieveRequestSchema>;
