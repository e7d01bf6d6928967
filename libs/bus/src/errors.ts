import { errors } from '@nats-io/transport-node';
import { ErrorCode, fieldPath, SignetError } from '@signet/contracts';
import { type z } from 'zod';

/**
 * Turns schema issues into a message that names fields, never values. Keys
 * are input too: an unknown one is named escaped and cut short (fieldPath),
 * not quoted as zod's own message would.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => {
      if (i.code === 'unrecognized_keys') return i.keys.slice(0, 10).map((k) => `${fieldPath([...i.path, k])}: unknown field`).join('; ');
      return `${i.path.length ? fieldPath(i.path) : '(message)'}: ${i.message}`;
    })
    .join('; ');
}

/** Maps a NATS request failure to the error a caller can act on. */
export function fromRequestError(e: unknown, subject: string, unavailable: ErrorCode): SignetError {
  if (e instanceof errors.RequestError && e.isNoResponders()) {
    return new SignetError(unavailable, `no service answers on ${subject}`);
  }
  if (e instanceof errors.NoRespondersError || (e as Error)?.cause instanceof errors.NoRespondersError) {
    return new SignetError(unavailable, `no service answers on ${subject}`);
  }
  if (e instanceof errors.TimeoutError || (e as Error)?.cause instanceof errors.TimeoutError) {
    return new SignetError(unavailable, `timed out waiting for ${subject}`);
  }
  if (e instanceof SignetError) return e;
  return new SignetError(unavailable, `bus error on ${subject}: ${(e as Error)?.message ?? 'unknown'}`);
}
