import { type CliConfig } from './config';
import { usage } from './errors';
import { type ExitCode } from './exit-codes';
import { type Http } from './http';
import { type Io } from './output';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in help: `--reason <reason>`. */
  value?: string;
  description: string;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a verb gets: its parsed arguments, the resolved configuration, HTTP, and where to write. */
export interface Context {
  values: Values;
  positionals: string[];
  config: CliConfig;
  http: Http;
  io: Io;
  /** --json: machine-readable output on stdout. */
  json: boolean;
}

/** One `signet` verb (or `group verb`, e.g. `audit verify`). */
export interface Verb {
  name: string;
  summary: string;
  /** Positional arguments as shown in help, e.g. `<csr-file>`. */
  args: string;
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  /** More help: examples, exit codes specific to the verb. */
  help?: string;
  run(ctx: Context): Promise<ExitCode>;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
}

/** A whole-number option within bounds, as given (a usage error otherwise); absent → undefined. */
export function whole(values: Values, name: string, min: number, max: number): string | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw usage(`--${name}: a whole number from ${min} to ${max}`);
  return raw;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}
