import { z } from 'zod';
import { DISPOSITIONS } from '../enums/disposition';
import { freeText, lineText } from '../text';
import { IdempotencyKeySchema, LIMITS, PemSchema, RequestIdSchema, SerialHexSchema } from './common';

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
    /** Who asked, as the intermediary authenticated them (AD CS RequesterName). */
    requester: lineText(z.string().min(1).max(LIMITS.requesterChars)).default('anonymous'),
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

export const SUBMIT_SAMPLE: SubmitRequest = {
  request: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n',
  attributes: 'CertificateTemplate:WebServer',
  idempotencyKey: 'order-4711',
  requester: 'anonymous',
};

/** ICertRequest::RetrievePending. */
export const RetrieveRequestSchema = z.object({ requestId: RequestIdSchema }).strict();
export type RetrieveRequest = z.infer<typeof RetrieveRequestSchema>;
