import { SignetError, ErrorCode } from './errors';
import { LIMITS } from './messages/common';
import { textProblem } from './text';

/**
 * AD CS request attributes: `name:value` lines separated by newlines (LF or
 * CRLF). Names compare without case, spaces or dashes; values are trimmed.
 * A later line with the same name replaces an earlier one. No control
 * character (TAB, a lone CR, NUL, C1 …) is allowed inside a line.
 */
export function canonicalAttributeName(name: string): string {
  return name.replace(/[\s-]/g, '').toLowerCase();
}

export interface ParsedAttribute {
  /** The name as written. */
  name: string;
  value: string;
}

export function parseAttributes(raw: string): Map<string, ParsedAttribute> {
  const out = new Map<string, ParsedAttribute>();
  if (raw.length > LIMITS.attributesChars) {
    throw new SignetError(ErrorCode.TooLarge, `attributes exceed ${LIMITS.attributesChars} characters`);
  }
  const lines = raw.split(/\r?\n/);
  let n = 0;
  for (const [i, line] of lines.entries()) {
    // Before anything else looks at the line, and without quoting it: the problem names the code point and the line.
    const problem = textProblem(line);
    if (problem) throw new SignetError(ErrorCode.BadAttributes, `attribute line ${i + 1} ${problem}`, { line: i + 1 });
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new SignetError(ErrorCode.BadAttributes, `attribute line ${i + 1} is not "name:value"`, { line: i + 1 });
    }
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const key = canonicalAttributeName(name);
    if (key === '' || !/^[A-Za-z0-9_.]+$/.test(key)) {
      throw new SignetError(ErrorCode.BadAttributes, `attribute line ${i + 1} has an invalid name`, { line: i + 1 });
    }
    if (name.length > LIMITS.attributeNameChars) {
      throw new SignetError(ErrorCode.BadAttributes, `attribute name longer than ${LIMITS.attributeNameChars} characters`, { line: i + 1 });
    }
    if (value.length > LIMITS.attributeValueChars) {
      throw new SignetError(ErrorCode.BadAttributes, `attribute "${name}" value longer than ${LIMITS.attributeValueChars} characters`, { name });
    }
    if (!out.has(key) && ++n > LIMITS.attributeCount) {
      throw new SignetError(ErrorCode.BadAttributes, `more than ${LIMITS.attributeCount} attributes`);
    }
    out.set(key, { name, value });
  }
  return out;
}

/** Serialises a name → value map back into the AD CS attribute string. */
export function formatAttributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v], i) => {
      const nameProblem = textProblem(k) ?? (k.includes(':') ? 'contains a colon' : undefined);
      const problem = nameProblem ? `name ${nameProblem}` : textProblem(v) && `value ${textProblem(v)}`;
      // Counts the attribute rather than quoting its name: the name may be what is wrong.
      if (problem) throw new SignetError(ErrorCode.BadAttributes, `attribute ${i + 1}: its ${problem}`, { attribute: i + 1 });
      return `${k}:${v}`;
    })
    .join('\n');
}

/** Well-known attribute names, canonical form. */
export const Attr = {
  CertificateTemplate: 'certificatetemplate',
  San: 'san',
  Disposition: 'disposition',
  ValidityPeriod: 'validityperiod',
  ValidityPeriodUnits: 'validityperiodunits',
} as const;
