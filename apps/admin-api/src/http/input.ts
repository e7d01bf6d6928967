import { RequestIdSchema, SerialHexSchema } from '@signet/contracts';
import { badField } from '@signet/http';
import { z } from 'zod';

/* admin-api's own input rules; the shared helpers (validate, ZodPipe, query schemas) are in @signet/http. */

/** A request id in a path: a positive integer (AD CS RequestID). */
export function parseRequestId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw badField('id', 'must be a positive whole number');
  }
  return Number(raw);
}

/**
 * A certificate serial in a path, as operators copy it: `0A:1B:..`,
 * `0a1b..`, or with spaces. Normalized to the wire form (lower-case hex,
 * even number of digits, AD CS's rule for RevokeCertificate).
 */
export function parseSerial(raw: string): string {
  const hex = raw.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw badField('serial', 'must be hexadecimal');
  if (hex.length % 2 !== 0) throw badField('serial', 'must have an even number of hex digits');
  if (hex.length > 64) throw badField('serial', 'longer than 32 bytes');
  return hex;
}

/** `{id}` of /api/v1/requests/{id}. */
export const RequestIdPathSchema = z.string().transform(parseRequestId).pipe(RequestIdSchema.meta({ description: 'Request id (AD CS RequestID)' }));

/** `{serial}`: hex as openssl or certutil print it (colons, upper case, spaces), answered normalized. */
export const SerialPathSchema = z
  .string()
  .transform(parseSerial)
  .pipe(SerialHexSchema.meta({ description: 'Certificate serial in hex; colons, spaces and upper case are accepted and normalized to this form' }));
