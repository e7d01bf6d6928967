import { z } from 'zod';

/**
 * Text that crosses an edge and may end up in a database row, a log line,
 * a certificate or a reply. Two things are refused everywhere (ADR 0022):
 *
 * - control characters: C0 (U+0000–U+001F), DEL (U+007F) and C1
 *   (U+0080–U+009F). NUL is what PostgreSQL refuses in text and jsonb; CR
 *   and LF split log lines and forge header-like text; the others render
 *   as nothing or as something else. Free text (a message, a reason, the
 *   attribute string's lines) may keep TAB, LF and CR.
 * - text that is not well-formed Unicode (a lone UTF-16 surrogate): it
 *   cannot be written as UTF-8, so PostgreSQL's jsonb refuses it and a
 *   driver silently replaces it in text.
 *
 * Refusals name the code point and where it is, never the text itself.
 */

// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex -- control characters but TAB, LF and CR
const CONTROL_IN_FREE_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
// With the u flag a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** What the text may hold besides printable characters: nothing (`line`), or TAB, LF and CR (`free`). */
export type TextKind = 'line' | 'free';

/** U+000A style name of a code point. */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` may not cross an edge, or undefined when it may: "contains a
 * control character (U+0000) at index 3" or "is not well-formed Unicode
 * (a lone surrogate at index 3)". The index counts UTF-16 code units, as
 * JavaScript and JSON do.
 */
export function textProblem(text: string, kind: TextKind = 'line'): string | undefined {
  const control = (kind === 'line' ? CONTROL : CONTROL_IN_FREE_TEXT).exec(text);
  if (control) return `contains a control character (${codePointName(control[0].charCodeAt(0))}) at index ${control.index}`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `is not well-formed Unicode (a lone surrogate at index ${lone.index})`;
  return undefined;
}

/**
 * The text with every control character and lone surrogate written as
 * `\uXXXX`, so it can be stored, logged or shown without changing a line
 * or a terminal. For messages that have to mention a value; a message
 * should rather not quote untrusted text at all.
 */
export function escapeControlCharacters(text: string, kind: TextKind = 'line'): string {
  const pattern = kind === 'line' ? /[\x00-\x1f\x7f-\x9f]|[\ud800-\udfff]/gu : /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|[\ud800-\udfff]/gu; // eslint-disable-line no-control-regex
  return text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One-line text: no control characters at all, well-formed Unicode. */
export function lineText(schema: z.ZodString = z.string()): z.ZodString {
  return checked(schema, 'line');
}

/** Free text (a message, a reason): TAB, LF and CR allowed, other control characters not; well-formed Unicode. */
export function freeText(schema: z.ZodString = z.string()): z.ZodString {
  return checked(schema, 'free');
}

function checked(schema: z.ZodString, kind: TextKind): z.ZodString {
  // The regex states the rule in the OpenAPI document; the refinement names the code point and its place.
  const pattern = kind === 'line' ? /^[^\x00-\x1f\x7f-\x9f]*$/ : /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$/; // eslint-disable-line no-control-regex
  return schema
    .regex(pattern, { error: (iss) => (typeof iss.input === 'string' ? textProblem(iss.input, kind) : undefined) ?? 'must not contain control characters' })
    .refine((s) => !LONE_SURROGATE.test(s), { error: (iss) => (typeof iss.input === 'string' ? textProblem(iss.input, kind) : undefined) ?? 'must be well-formed Unicode' });
}

/** Longest piece of a field path an error message quotes (an object key can be as long as the message it came in). */
const FIELD_SEGMENT_CHARS = 64;

/**
 * A field path for an error message (`attributes.CertificateTemplate`,
 * `filters.0.value`): segments joined with dots, each with control
 * characters escaped and cut to 64 characters, because a key of an object
 * is input like any value.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => quotedSegment(String(p))).join('.');
}

function quotedSegment(s: string): string {
  const cut = s.length > FIELD_SEGMENT_CHARS ? `${s.slice(0, FIELD_SEGMENT_CHARS)}…` : s;
  return escapeControlCharacters(cut);
}
