import { CaNameSchema, ErrorCode, isValidCaName, SignetError } from '@signet/contracts';
import { badField, queryOne } from '@signet/http';
import { z } from 'zod';

/* The intermediary's own input rules; the shared helpers are in @signet/http. */

/** A single-valued header (Node joins or arrays repeated ones). */
export function headerValue(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw badField(name, 'header given more than once');
  return value;
}

/**
 * A value that may come from two places (header and body, body and query):
 * either alone is used; both must agree.
 */
export function oneOf(field: string, a: string | undefined, b: string | undefined): string | undefined {
  if (a !== undefined && b !== undefined && a !== b) {
    throw badField(field, 'given twice with different values');
  }
  return a ?? b;
}

/** A CA name from a body field or query parameter (not a path: see caFromPath). */
export function caField(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isValidCaName(value)) throw badField('ca', 'must match ^[a-z0-9][a-z0-9-]{0,62}$');
  return value;
}

/** A CA name in a path: a name that cannot exist is simply not found. */
export function caFromPath(value: string): string {
  if (!isValidCaName(value)) {
    throw new SignetError(ErrorCode.UnknownCa, `no CA named "${value.slice(0, 64)}" is known`, { ca: value.slice(0, 64) });
  }
  return value;
}

/** `{ca}` in a path: a CA name, or 404 UNKNOWN_CA (see caFromPath). */
export const CaPathSchema = z.string().transform(caFromPath).pipe(CaNameSchema);

/** `?ca=`: which CA; absent → the default CA. */
export const CaQuerySchema = z.object({ ca: queryOne(CaNameSchema).optional().meta({ description: 'CA name (default: the default CA)' }) });
