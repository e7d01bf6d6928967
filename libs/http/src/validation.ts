import { Body, Param, Query, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { badBody, type ValidateOptions } from './input';

/*
 * The one way HTTP input is checked: a zod schema validates a body, the
 * query or a path parameter, and the same schema describes it in the
 * service's OpenAPI document (openapi.ts). A refusal is a 400 BAD_MESSAGE
 * with the schema's message. A transform in a schema may throw a
 * SignetError of its own when the answer is not a 400 (a CA name that
 * cannot exist is 404 UNKNOWN_CA, a CSR over its limit 413 TOO_LARGE): that
 * error reaches the client unchanged.
 */

/** Parses with a schema or throws BAD_MESSAGE naming the fields (see badBody). */
export function validate<S extends z.ZodType>(schema: S, value: unknown, opts: ValidateOptions = {}): z.output<S> {
  const input = value === undefined && 'absent' in opts ? opts.absent : value;
  const r = schema.safeParse(input);
  if (!r.success) throw badBody(r.error, opts.what ?? 'request body', opts);
  return r.data;
}

const WHAT: Record<string, string> = { body: 'request body', query: 'query', param: 'path' };

/**
 * The Nest pipe over `validate`: `@Body(new ZodPipe(schema))`,
 * `@Query(new ZodPipe(schema))`, `@Param('id', new ZodPipe(schema))`, or
 * the shorthands below. Runs after the guards, like the handler's own code
 * did, so an unauthenticated caller still gets 401 first.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    readonly schema: S,
    private readonly opts: Pick<ValidateOptions, 'absent'> = {},
  ) {}

  transform(value: unknown, meta: ArgumentMetadata): z.output<S> {
    return validate(this.schema, value, {
      ...this.opts,
      what: WHAT[meta.type] ?? meta.type,
      ...(meta.data ? { field: meta.data } : {}),
      topLevelOnly: meta.type === 'query',
    });
  }
}

/** The body, validated; `absent` is what a request without a body counts as (e.g. `{}`). */
export const ValidBody = <S extends z.ZodType>(schema: S, opts: Pick<ValidateOptions, 'absent'> = {}) => Body(new ZodPipe(schema, opts));
/** The whole query, validated (unknown parameters are dropped, as zod objects do). */
export const ValidQuery = <S extends z.ZodType>(schema: S) => Query(new ZodPipe(schema));
/** One path parameter, validated and converted. */
export const ValidParam = <S extends z.ZodType>(name: string, schema: S) => Param(name, new ZodPipe(schema));

/*
 * Query parameters arrive as text, once or repeated. These build schemas
 * whose input is that text and whose output is the value it means; the
 * OpenAPI document shows the output (an integer between bounds, a boolean,
 * one of an enum).
 */

const onceOnly = (iss: { input?: unknown }) => (Array.isArray(iss.input) ? 'query parameter given more than once' : undefined);

/** One value of a query parameter, refused when repeated rather than guessed at; then checked by `inner`. */
export function queryOne<T extends z.ZodType<unknown, string>>(inner: T) {
  return z.string({ error: onceOnly }).pipe(inner);
}

/** A whole number between bounds; absent or empty → undefined. */
export function queryInt(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  return z
    .string({ error: onceOnly })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^\d{1,16}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number' });
        return z.NEVER;
      }
      return Number(v);
    })
    .pipe(z.number().int().min(min, range).max(max, range).optional());
}

/** `true|false|1|0`; absent or empty → `def`. */
export function queryBool(def: boolean) {
  return z
    .string({ error: onceOnly })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    })
    .pipe(z.boolean().default(def));
}

/** A parameter that may repeat (`?filter=a&filter=b`), as a list of at most `max` items checked by `item`. */
export function queryList<T extends z.ZodType<unknown, string>>(item: T, max: number) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(item).max(max, `at most ${max} allowed`));
}
