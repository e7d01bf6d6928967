import { type CliConfig } from './config';
import { CliError, usage } from './errors';
import { ExitCode, exitCodeForError } from './exit-codes';

/** An answer from the intermediary or admin-api. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  query?: URLSearchParams;
  /** Answers with these statuses are returned, not thrown (e.g. a denied submit carries the request id). */
  accept?: (status: number, body: unknown) => boolean;
  headers?: Record<string, string>;
}

/** The error body both services send: `{code, message, details?}`. */
interface ErrorBody {
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * HTTP to the intermediary and admin-api with global fetch. Every failure
 * becomes a CliError carrying the exit code scripts rely on; the token is
 * sent only to admin-api and never printed.
 */
export class Http {
  constructor(
    private readonly config: CliConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  intermediary<T = unknown>(path: string, opts: CallOptions = {}): Promise<Answer<T>> {
    return this.call(this.config.url, path, opts, false);
  }

  admin<T = unknown>(path: string, opts: CallOptions = {}): Promise<Answer<T>> {
    if (!this.config.token) throw new CliError(ExitCode.Auth, 'no admin token: set SIGNET_TOKEN, --token-file, or "token" in the config file');
    return this.call(this.config.adminUrl, path, opts, true);
  }

  /** A raw admin response, for streaming exports. */
  async adminStream(path: string, query: URLSearchParams): Promise<Response> {
    if (!this.config.token) throw new CliError(ExitCode.Auth, 'no admin token: set SIGNET_TOKEN, --token-file, or "token" in the config file');
    const res = await this.send(this.config.adminUrl, path, { query }, true);
    if (!res.ok) throw errorFrom(res.status, await readJson(res));
    return res;
  }

  private async call<T>(base: string, path: string, opts: CallOptions, admin: boolean): Promise<Answer<T>> {
    const res = await this.send(base, path, opts, admin);
    const body = await readJson(res);
    if (res.ok || opts.accept?.(res.status, body)) return { status: res.status, body: body as T, headers: res.headers };
    throw errorFrom(res.status, body);
  }

  private async send(base: string, path: string, opts: CallOptions, admin: boolean): Promise<Response> {
    const url = `${base}${path}${opts.query && [...opts.query].length ? `?${opts.query}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (admin) headers.authorization = `Bearer ${this.config.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' && headers['content-type'] !== 'application/json' ? opts.body : JSON.stringify(opts.body);
    }
    try {
      return await this.fetchImpl(url, { method: opts.method ?? 'GET', headers, body, signal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (e) {
      throw networkError(e, base, this.config.timeoutMs);
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (res.ok) throw new CliError(ExitCode.Error, `the server answered HTTP ${res.status} with something that is not JSON`);
    return undefined;
  }
}

/** An HTTP error answer as a CliError: message and code from the body, exit code from both. */
export function errorFrom(status: number, body: unknown): CliError {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  const detail = describeDetails(b.details);
  const message = `${b.message ?? `HTTP ${status}`}${b.code ? ` [${b.code}]` : ''}${detail ? ` (${detail})` : ''}`;
  return new CliError(exitCodeForError(status, b.code), message, b.code ? { code: b.code, message: b.message, ...(b.details ? { details: b.details } : {}) } : undefined);
}

function describeDetails(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  const parts: string[] = [];
  if (typeof details.reason === 'string' && /^[A-Z_]+$/.test(details.reason)) parts.push(details.reason);
  if (typeof details.field === 'string') parts.push(`field ${details.field}`);
  if (Array.isArray(details.required)) parts.push(`needs ${details.required.join(' or ')}`);
  return parts.join(', ');
}

function networkError(e: unknown, base: string, timeoutMs: number): CliError {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return new CliError(ExitCode.Unavailable, `no answer from ${base} within ${timeoutMs} ms`);
  if (err instanceof TypeError && /invalid|url/i.test(err.message) && !err.cause) return usage(`bad URL ${base}`);
  return new CliError(ExitCode.Unavailable, `cannot reach ${base}: ${err?.cause?.code ?? err?.cause?.message ?? err?.message ?? 'network error'}`);
}
