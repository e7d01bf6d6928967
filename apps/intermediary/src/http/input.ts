import { ErrorCode, isValidCaName, SignetError } from '@signet/contracts';
import { type z } from 'zod';

/** A 400 BAD_MESSAGE that names the offending field. */
export function badField(field: string, message: string): SignetError {
  return new SignetError(ErrorCode.BadMessage, `${field}: ${message}`, { field });
}

/** Zod issues as a BAD_MESSAGE naming every field, never echoing values. */
export function badBody(error: z.ZodError, what = 'request body'): SignetError {
  const problems = error.issues.slice(0, 10).map((i) => {
    if (i.code === 'unrecognized_keys') return { field: i.keys.join(', '), problem: 'unknown field' };
    return { field: i.path.length ? i.path.join('.') : '(body)', problem: i.message };
  });
  const text = problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
  return new SignetError(ErrorCode.BadMessage, `invalid ${what}: ${text}`, { fields: problems });
}

export type Query = Record<string, string | string[] | undefined>;

/** One query parameter; a repeated one is refused rather than guessed at. */
export function queryParam(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw badField(name, 'query parameter given more than once');
  return v;
}

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

/** `?flag=true|false|1|0`, absent → the default. */
export function booleanParam(query: Query, name: string, def: boolean): boolean {
  const v = queryParam(query, name);
  if (v === undefined || v === '') return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badField(name, 'must be true or false');
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t ? t : undefined;
}
