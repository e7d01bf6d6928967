import { ErrorCode, SignetError } from '@signet/contracts';
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
