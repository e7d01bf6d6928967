import { ConfigError, readSecret } from '@signet/config';
import { maskOf, type ExitEvent } from '@signet/contracts';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { type z } from 'zod';
import { unknownPlaceholders } from '../modules/mail/template';
import { durableName } from '../delivery/names';
import {
  DEFAULT_DELIVERY,
  ExitConfigFileSchema,
  FILE_EVENTS,
  type DeliverySettings,
  type ExitConfigFile,
  type FileModuleConfig,
  type MailModuleConfig,
  type ModuleConfig,
  type WebhookModuleConfig,
} from './exit-config.schema';

const MAX_FILE_BYTES = 1_048_576;
const MIN_HMAC_KEY_CHARS = 32;

/** A module as it runs: delivery settings merged over the defaults, secrets read from the environment. */
export type ResolvedModule =
  | (Omit<FileModuleConfig, 'delivery'> & Resolved)
  | (Omit<WebhookModuleConfig, 'delivery' | 'secret'> & Resolved & { secret: string })
  | (Omit<MailModuleConfig, 'delivery' | 'smtp'> & Resolved & { smtp: Omit<MailModuleConfig['smtp'], 'password'> & { password?: string } });
interface Resolved {
  description: string;
  delivery: DeliverySettings;
  /** EXITEVENT_* bits of `events`. */
  mask: number;
}

export interface ExitConfig {
  source: string;
  /** Enabled modules only. */
  modules: ResolvedModule[];
  /** Names of modules present but disabled (logged at start). */
  disabled: string[];
}

/** Reads, validates and resolves the exit-module file once, at start; any problem is a ConfigError naming the field. */
export function loadExitConfig(path: string, ca: string, env: NodeJS.ProcessEnv = process.env): ExitConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(`exit-module file ${abs}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, [abs]);
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new ConfigError(`exit-module file ${abs}: larger than ${MAX_FILE_BYTES} bytes`, [abs]);
  return parseExitConfig(text, extname(abs).toLowerCase() === '.json' ? 'json' : 'yaml', abs, ca, env);
}

export function parseExitConfig(text: string, format: 'yaml' | 'json', source: string, ca: string, env: NodeJS.ProcessEnv): ExitConfig {
  const file = validate(parseText(text, format, source), source);
  const problems: string[] = [];
  const resolved: ResolvedModule[] = [];
  const names = new Map<string, number>();
  const durables = new Map<string, string>();
  file.modules.forEach((m, i) => {
    const at = `modules[${i}]`;
    if (names.has(m.name)) problems.push(`${at}.name: "${m.name}" is already used by modules[${names.get(m.name)}]`);
    names.set(m.name, i);
    if (!m.enabled) return;
    for (const ev of m.events) {
      // Consumer names cannot hold dots: two names that differ only there would share a consumer.
      const d = durableName(ca, m.name, ev);
      const other = durables.get(d);
      if (other && other !== m.name) problems.push(`${at}.name: "${m.name}" and "${other}" map to the same consumer name; rename one`);
      durables.set(d, m.name);
    }
    if (new Set(m.events).size !== m.events.length) problems.push(`${at}.events: lists an event twice`);
    const delivery = mergeDelivery(file.defaults, m.delivery);
    if (delivery.retry.initialDelayMs > delivery.retry.maxDelayMs) problems.push(`${at}.delivery.retry: initialDelayMs must be ≤ maxDelayMs`);
    const base = { description: m.description ?? defaultDescription(m), delivery, mask: maskOf(m.events) };
    switch (m.type) {
      case 'file': {
        const wrong = m.events.filter((e) => !FILE_EVENTS.includes(e));
        if (wrong.length) problems.push(`${at}.events: a file publisher can only act on ${FILE_EVENTS.join(', ')} (not ${wrong.join(', ')})`);
        const revoked = m.events.includes('certificate.revoked');
        if (revoked !== m.removeOnRevoke) problems.push(`${at}.removeOnRevoke: certificate.revoked in events and removeOnRevoke: true go together`);
        const { delivery: _d, ...rest } = m;
        resolved.push({ ...rest, ...base });
        break;
      }
      case 'webhook': {
        const secret = secretFrom(env, m.secret.env, `${at}.secret.env`, problems);
        if (secret !== undefined && secret.length < MIN_HMAC_KEY_CHARS) problems.push(`${at}.secret.env: ${m.secret.env} must hold at least ${MIN_HMAC_KEY_CHARS} characters`);
        const { delivery: _d, secret: _s, ...rest } = m;
        resolved.push({ ...rest, ...base, secret: secret ?? '' });
        break;
      }
      case 'mail': {
        const password = m.smtp.password ? secretFrom(env, m.smtp.password.env, `${at}.smtp.password.env`, problems) : undefined;
        if (m.smtp.password && !m.smtp.user) problems.push(`${at}.smtp.user: is required with smtp.password`);
        for (const [ev, t] of Object.entries(m.templates)) {
          for (const part of ['subject', 'body'] as const) {
            const unknown = unknownPlaceholders(t![part]);
            if (unknown.length) problems.push(`${at}.templates.${ev}.${part}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')}`);
          }
          if (!m.events.includes(ev as ExitEvent)) problems.push(`${at}.templates.${ev}: the module does not handle this event (add it to events)`);
        }
        const { delivery: _d, smtp: { password: _p, ...smtp }, ...rest } = m;
        resolved.push({ ...rest, ...base, smtp: { ...smtp, ...(password !== undefined ? { password } : {}) } });
        break;
      }
    }
  });
  if (problems.length) throw new ConfigError(`exit-module file ${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
  return { source, modules: resolved, disabled: file.modules.filter((m) => !m.enabled).map((m) => m.name) };
}

function parseText(text: string, format: 'yaml' | 'json', source: string): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`exit-module file ${source}: not valid JSON (${(e as Error).message})`, [source]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => e.message.split('\n')[0]);
    throw new ConfigError(`exit-module file ${source}: not valid YAML:\n  ${problems.join('\n  ')}`, problems);
  }
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

function validate(data: unknown, source: string): ExitConfigFile {
  const r = ExitConfigFileSchema.safeParse(data);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${formatPath(i.path)}: ${describe(i)}`);
  throw new ConfigError(`exit-module file ${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
}

function mergeDelivery(defaults: ExitConfigFile['defaults'], own: ModuleConfig['delivery']): DeliverySettings {
  return {
    concurrency: own?.concurrency ?? defaults.concurrency ?? DEFAULT_DELIVERY.concurrency,
    timeoutMs: own?.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs,
    start: own?.start ?? defaults.start ?? DEFAULT_DELIVERY.start,
    batchWindowMs: own?.batchWindowMs ?? defaults.batchWindowMs ?? DEFAULT_DELIVERY.batchWindowMs,
    retry: { ...DEFAULT_DELIVERY.retry, ...defaults.retry, ...own?.retry },
  };
}

/** Reads NAME or NAME_FILE; a missing one is a problem named by field and variable, never by value. */
function secretFrom(env: NodeJS.ProcessEnv, name: string, field: string, problems: string[]): string | undefined {
  try {
    const v = readSecret(env, name);
    if (v === undefined) problems.push(`${field}: neither ${name} nor ${name}_FILE is set`);
    return v;
  } catch (e) {
    problems.push(`${field}: ${(e as Error).message}`);
    return undefined;
  }
}

function defaultDescription(m: ModuleConfig): string {
  switch (m.type) {
    case 'file':
      return `publishes certificates as ${m.formats.join(' and ').toUpperCase()} files`;
    case 'webhook':
      return `POSTs signed events to ${new URL(m.url).origin}`;
    case 'mail':
      return `mails ${m.events.length} event type(s) to ${m.to.length} recipient(s)`;
  }
}

/** `modules[1].smtp.port`, the way a person reads the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined$|^is required$/.test(issue.message) ? 'is required' : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt? secrets go in { env: NAME })`;
    case 'invalid_union': {
      const opts = (issue as { options?: unknown[] }).options;
      return opts ? `must be one of ${opts.map((v) => JSON.stringify(v)).join(', ')}` : issue.message;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'array') return `must have ${word} ${bound} entries`;
      if (issue.origin === 'string') return `must be ${word} ${bound} characters`;
      return `must be ${issue.code === 'too_small' ? '≥' : '≤'} ${bound}`;
    }
    default:
      return issue.message;
  }
}


