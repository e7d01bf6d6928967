import { z } from 'zod';
import { BusErrorSchema, type BusErrorBody } from './errors';

/**
 * Every reply on a command subject is one of these two shapes, so a module in
 * any language can tell success from a typed error without knowing the call.
 */
export type ReplyEnvelope<T> = { ok: true; data: T } | { ok: false; error: BusErrorBody };

export function replyEnvelopeSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: BusErrorSchema }),
  ]);
}

export const AnyReplyEnvelopeSchema = replyEnvelopeSchema(z.unknown());
