import { badBody, badField, queryParam, type Query } from '@signet/http';
import { type z } from 'zod';

/* admin-api's own input rules; the shared helpers are in @signet/http. */

/** Parses with a schema or throws BAD_MESSAGE naming the fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badBody(r.error, what);
  return r.data;
}

/** A query parameter that may repeat (`?filter=a&filter=b`), as a list. */
export function queryList(query: Query, name: string, max: number): string[] {
  const v = query[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length > max) throw badField(name, `at most ${max} allowed`);
  return list;
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
