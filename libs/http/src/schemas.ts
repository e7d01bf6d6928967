import { CaNameSchema, ERROR_CODES, RequestResultSchema } from '@signet/contracts';
import { z } from 'zod';

/*
 * Answers both HTTP services give, so their documents cannot drift apart:
 * the error shape, and the request result (the intermediary's submit and
 * admin-api's resubmit/deny answer the same thing).
 */

/** Every error answer: `{code, message, details?}`; `code` is one of `ErrorCode` in @signet/contracts. */
export const ErrorBodySchema = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().meta({
      description: 'Structured detail: `field` (or `fields`) for BAD_MESSAGE, `reason` for 401/403, `limitBytes` for TOO_LARGE',
    }),
  })
  .meta({ id: 'Error' });

/** A contract RequestResult with the CA it came from, as both services answer it. */
export const HttpRequestResultSchema = z
  .object({ ca: CaNameSchema, ...RequestResultSchema.shape })
  .meta({ id: 'RequestResult', description: 'A request and its disposition (with the certificate when issued)' });
