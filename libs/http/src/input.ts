import { ErrorCode, fieldPath, SignetError } from '@signet/contracts';
import { type z } from 'zod';

/** A 400 BAD_MESSAGE that names the offending field. */
export function badField(field: string, message: string): SignetError {
  return new SignetError(ErrorCode.BadMessage, `${field}: ${message}`, { field });
}

export interface ValidateOptions {
  /** What the value is, for the message: `invalid <what>: <field>: <problem>`. Default `request body`. */
  what?: string;
  /** Validate an absent value (no body at all) as this instead, e.g. `{}` for a body that may be left out. */
  absent?: unknown;
  /** The name of a path parameter or header, which prefixes the issues' paths. */
  field?: string;
  /** Name a query parameter, never an index into its values: only the first path element is kept. */
  topLevelOnly?: boolean;
}

interface Problem {
  field: string;
  problem: string;
}

function problemsOf(error: z.ZodError, opts: Omit<ValidateOptions, 'what'>): Problem[] {
  return error.issues.flatMap((i): Problem[] => {
    // Keys are input like values: fieldPath escapes control characters and cuts them short.
    const base = [...(opts.field ? [opts.field] : []), ...i.path.map(String)];
    if (i.code === 'unrecognized_keys') return i.keys.slice(0, 10).map((k) => ({ field: fieldPath([...base, k]), problem: 'unknown field' }));
    const path = opts.topLevelOnly ? base.slice(0, 1) : base;
    return [{ field: path.length ? fieldPath(path) : '(body)', problem: i.message }];
  });
}

/**
 * Zod issues as a BAD_MESSAGE, never echoing values: `details.field` when
 * one field is wrong (as every other 400 names it), `details.fields` with
 * each field and its problem when several are.
 */
export function badBody(error: z.ZodError, what = 'request body', opts: Omit<ValidateOptions, 'what'> = {}): SignetError {
  const problems = problemsOf(error, opts).slice(0, 10);
  const text = problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
  const details = problems.length === 1 ? { field: problems[0]!.field } : { fields: problems };
  return new SignetError(ErrorCode.BadMessage, `invalid ${what}: ${text}`, details);
}

export type Query = Record<string, string | string[] | undefined>;

/** One query parameter; a repeated one is refused rather than guessed at. */
export function queryParam(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw badField(name, 'query parameter given more than once');
  return v;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t ? t : undefined;
}
