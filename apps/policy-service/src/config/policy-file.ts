import { ConfigError } from '@signet/config';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { type z } from 'zod';
import { PolicyFileSchema, type PolicyConfig } from './policy-file.schema';

/** A policy file larger than this is a mistake, not a policy. */
const MAX_FILE_BYTES = 1_048_576;

/**
 * Reads and validates the policy file once, at start. Any problem throws a
 * ConfigError naming the file and every offending field, so the process
 * stops before it serves a single request with a half-understood policy.
 */
export function loadPolicyFile(path: string): PolicyConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(`policy file ${abs}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, [abs]);
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new ConfigError(`policy file ${abs}: larger than ${MAX_FILE_BYTES} bytes`, [abs]);
  }
  return parsePolicyText(text, formatOf(abs), abs);
}

export function formatOf(path: string): 'yaml' | 'json' {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new ConfigError(`policy file ${path}: unknown extension "${ext}" (use .yaml, .yml or .json)`, [path]);
}

/** Parses policy text; `source` names the file in errors. */
export function parsePolicyText(text: string, format: 'yaml' | 'json', source: string): PolicyConfig {
  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`policy file ${source}: not valid JSON (${(e as Error).message})`, [source]);
    }
  } else {
    // Duplicate keys are errors (yaml's default), so a second `validityDays` cannot silently win.
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      const problems = doc.errors.map((e) => e.message.split('\n')[0]);
      throw new ConfigError(`policy file ${source}: not valid YAML:\n  ${problems.join('\n  ')}`, problems);
    }
    data = doc.toJS({ maxAliasCount: 100 });
  }
  const result = PolicyFileSchema.safeParse(data ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${describeIssue(i)}`);
    throw new ConfigError(`policy file ${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
  }
  return result.data;
}

/** `templates.WebServer.keys[0].minBits`, the way the file is read by a person. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Zod's issue in the words an operator editing YAML needs. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'number') return `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} entries`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.message;
    case 'too_small':
      if (issue.origin === 'number') return `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
      if (issue.origin === 'array') return Number(issue.minimum) === 1 ? 'must not be empty' : `must have at least ${issue.minimum} entries`;
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return issue.message;
    case 'invalid_type':
      // Zod leaves the input out of issues; its message says what was received.
      return /received undefined$/.test(issue.message) ? 'is required' : `must be ${article(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt?)`;
    case 'invalid_key':
      return `invalid name: ${issue.issues.map((i) => i.message).join('; ')}`;
    case 'invalid_union': {
      const disc = issue as { discriminator?: string; options?: unknown[] };
      if (disc.options) return `must be one of ${disc.options.map((v) => JSON.stringify(v)).join(', ')}`;
      // A value that can be written two ways (a key usage name or an object):
      // report the closer miss, the branch whose shape the value did match.
      const score = (b: z.core.$ZodIssue[]) => (b[0] ? b[0].path.length * 2 + (b[0].code === 'invalid_type' ? 0 : 1) : -1);
      const first = [...issue.errors].sort((a, b) => score(b) - score(a))[0]?.[0];
      return first ? `${first.path.length ? `${formatPath(first.path)}: ` : ''}${describeIssue(first)}` : issue.message;
    }
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
