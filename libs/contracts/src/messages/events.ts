import { z } from 'zod';
import { DISPOSITIONS } from '../enums/disposition';
import { EXIT_EVENTS } from '../enums/events';
import { IsoTimeSchema, PemSchema, RequestIdSchema, SerialHexSchema } from './common';

/**
 * What ca-core publishes on `ca.<ca>.events.<event>` (ICertExit::Notify).
 * `id` is also the JetStream message id, so republishing is deduplicated and
 * exit modules can be idempotent by it.
 */
export const CaEventSchema = z.object({
  id: z.string().min(1).max(128),
  event: z.enum(EXIT_EVENTS),
  /** EXITEVENT_* bit of `event`. */
  eventBit: z.number().int(),
  ca: z.string(),
  occurredAt: IsoTimeSchema,
  /** Context for read-back (ICertServerExit::SetContext); absent for CA-wide events. */
  requestId: RequestIdSchema.optional(),
  disposition: z.enum(DISPOSITIONS).optional(),
  serial: SerialHexSchema.optional(),
  subject: z.string().max(2048).optional(),
  template: z.string().nullable().optional(),
  certificate: PemSchema.optional(),
  message: z.string().max(4096).optional(),
  /**
   * On `crl.issued`: which CRL. Fetch it from the intermediary
   * (`/crl/<ca>.crl`, `/crl/<ca>-delta.crl`) or by number from admin-api.
   */
  crl: z
    .object({
      number: z.number().int().nonnegative(),
      delta: z.boolean(),
      /** The base CRL a delta CRL extends. */
      baseNumber: z.number().int().nonnegative().nullable(),
      thisUpdate: IsoTimeSchema,
      nextUpdate: IsoTimeSchema,
      entries: z.number().int().nonnegative(),
      /** SHA-256 of the DER, hex. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});
export type CaEvent = z.infer<typeof CaEventSchema>;
