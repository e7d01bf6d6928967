import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usage } from './errors';

/** Where the CLI talks to and as whom; resolved once per run. */
export interface CliConfig {
  /** The intermediary (enrollment). */
  url: string;
  /** admin-api (administration). */
  adminUrl: string;
  token?: string;
  /** CA name for enrollment; the intermediary's default CA when absent. */
  ca?: string;
  timeoutMs: number;
  /** Where the configuration file was read from, if one was. */
  file?: string;
  /** Problems worth a warning (e.g. a token in a file others can read). */
  warnings: string[];
}

/** Flags that configure the connection, common to every verb. */
export interface ConnectionFlags {
  url?: string;
  'admin-url'?: string;
  token?: string;
  'token-file'?: string;
  ca?: string;
  config?: string;
  timeout?: string;
}

/** The config file's keys (JSON). */
interface FileConfig {
  url?: string;
  adminUrl?: string;
  token?: string;
  tokenFile?: string;
  ca?: string;
  timeoutMs?: number;
}

const FILE_KEYS = new Set(['url', 'adminUrl', 'token', 'tokenFile', 'ca', 'timeoutMs']);
export const DEFAULTS = { url: 'http://127.0.0.1:8080', adminUrl: 'http://127.0.0.1:8081', timeoutMs: 30_000 } as const;

/** ~/.config/signet/config.json, or under $XDG_CONFIG_HOME. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'signet', 'config.json');
}

/**
 * Flags win over environment variables, which win over the config file,
 * which wins over the defaults. An explicitly named config file must exist;
 * the default one is optional.
 */
export function resolveConfig(flags: ConnectionFlags, rawEnv: NodeJS.ProcessEnv, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): CliConfig {
  // An empty variable (SIGNET_TOKEN= in a script) counts as unset.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v !== '')) as NodeJS.ProcessEnv;
  const explicit = flags.config ?? env.SIGNET_CONFIG;
  const path = explicit ?? defaultConfigPath(env);
  const warnings: string[] = [];
  let file: FileConfig = {};
  let fileRead: string | undefined;
  try {
    file = parseConfigFile(readFile(path), path);
    fileRead = path;
  } catch (e) {
    const notThere = (e as NodeJS.ErrnoException).code === 'ENOENT';
    if (!notThere || explicit) throw e instanceof Error && e.name === 'CliError' ? e : usage(`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const tokenFile = flags['token-file'] ?? env.SIGNET_TOKEN_FILE ?? file.tokenFile;
  let token = flags.token ?? env.SIGNET_TOKEN ?? undefined;
  if (token === undefined && tokenFile) token = readToken(tokenFile, readFile);
  if (token === undefined) token = file.token;
  if (file.token && fileRead && token === file.token && worldReadable(fileRead)) {
    warnings.push(`${fileRead} holds a token and can be read by other users; chmod 600 it`);
  }
  const timeout = flags.timeout ?? env.SIGNET_TIMEOUT_MS;
  return {
    url: checkUrl(flags.url ?? env.SIGNET_URL ?? file.url ?? DEFAULTS.url, 'url'),
    adminUrl: checkUrl(flags['admin-url'] ?? env.SIGNET_ADMIN_URL ?? file.adminUrl ?? DEFAULTS.adminUrl, 'admin-url'),
    ...(token ? { token } : {}),
    ...(checkCa(flags.ca ?? env.SIGNET_CA ?? file.ca) ?? {}),
    timeoutMs: timeout !== undefined ? checkTimeout(timeout) : (file.timeoutMs ?? DEFAULTS.timeoutMs),
    ...(fileRead ? { file: fileRead } : {}),
    warnings,
  };
}

function parseConfigFile(text: string, path: string): FileConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw usage(`config file ${path} is not valid JSON`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw usage(`config file ${path} must hold a JSON object`);
  for (const [k, v] of Object.entries(data)) {
    if (!FILE_KEYS.has(k)) throw usage(`config file ${path}: unknown key "${k}" (known: ${[...FILE_KEYS].join(', ')})`);
    if (k === 'timeoutMs' ? typeof v !== 'number' : typeof v !== 'string') throw usage(`config file ${path}: "${k}" must be a ${k === 'timeoutMs' ? 'number' : 'string'}`);
  }
  return data as FileConfig;
}

function readToken(path: string, readFile: (p: string) => string): string {
  try {
    return readFile(path).trim();
  } catch (e) {
    throw usage(`cannot read token file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function worldReadable(path: string): boolean {
  try {
    return (statSync(path).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}

function checkUrl(value: string, name: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw usage(`--${name}: not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage(`--${name}: must be http:// or https://`);
  return value.replace(/\/+$/, '');
}

function checkCa(value: string | undefined): { ca: string } | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) throw usage('--ca: a CA name is lower-case letters, digits and dashes');
  return { ca: value };
}

function checkTimeout(value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 100) throw usage('--timeout: milliseconds, at least 100');
  return Number(value);
}
