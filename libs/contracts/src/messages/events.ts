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
});
export type CaEvent = z.infer<typeof CaEventSchema>;
