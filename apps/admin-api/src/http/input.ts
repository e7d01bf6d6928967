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

/** Parses with a schema or throws BAD_MESSAGE naming the fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badBody(r.error, what);
  return r.data;
}

export type Query = Record<string, string | string[] | undefined>;

/** One query parameter; a repeated one is refused rather than guessed at. */
export function queryParam(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw badField(name, 'query parameter given more than once');
  return v;
}

/** A query parameter that may repeat (`?filter=a&filter=b`), as a list. */
export function queryList(query: Query, name: string, max: number): string[] {
  const v = query[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length > max) throw badField(name, `at most ${max} allowed`);
  return list;
}

/** `?flag=true|false|1|0`, absent → the default. */
export function booleanParam(query: Query, name: string, def: boolean): boolean {
  const v = queryParam(query, name);
  if (v === undefined || v === '') return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badField(name, 'must be true or false');
}

/** A whole number query parameter within bounds, absent → undefined. */
export function intParam(query: Query, name: string, min: number, max: number): number | undefined {
  const v = queryParam(query, name);
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,16}$/.test(v)) throw badField(name, 'must be a whole number');
  const n = Number(v);
  if (n < min || n > max) throw badField(name, `must be between ${min} and ${max}`);
  return n;
}

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

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t ? t : undefined;
}
