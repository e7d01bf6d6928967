import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/*
 * The protocol fuzz runs over HTTP (e2e/est.spec.ts, e2e/scep.spec.ts): a
 * few thousand requests to the running stack, several in flight over
 * keep-alive connections, each answer checked as it comes. SIGNET_FUZZ_CASES
 * scales them (npm run fuzz).
 */

export interface FuzzRequest {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/scep?operation=PKIOperation`. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface FuzzAnswer {
  /** 0 when the connection failed (never acceptable). */
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FuzzClient {
  send(r: FuzzRequest): Promise<FuzzAnswer>;
  close(): void;
}

/**
 * A keep-alive client for `base` (http or https; `tls` for the trust anchor
 * and a client certificate). It connects from 127.0.0.2: the refused
 * credentials it sends feed the per-source limiter of failed enrollee
 * authentications (ADR 0024) for that address, not for the 127.0.0.1 the
 * other tests enroll from.
 */
export function fuzzClient(base: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}, sockets = 8): FuzzClient {
  const https = base.startsWith('https:');
  const options = { keepAlive: true, maxSockets: sockets, localAddress: '127.0.0.2' };
  const agent = https ? new HttpsAgent({ ...options, ...tls }) : new HttpAgent(options);
  const send = (r: FuzzRequest): Promise<FuzzAnswer> =>
    new Promise((resolve) => {
      const headers = { ...(r.headers ?? {}), ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
      const req = (https ? httpsRequest : httpRequest)(new URL(r.path, base), { method: r.method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0) }));
      });
      req.on('error', (e) => resolve({ status: 0, headers: {}, body: Buffer.from(e.message) }));
      req.end(r.body);
    });
  return { send, close: () => agent.destroy() };
}

/**
 * Runs cases 0…count-1, `concurrency` at a time. `make(i)` builds case i
 * synchronously (so a seeded generator yields the same cases in the same
 * order whatever the timing); `check` sends it and returns the answer's
 * status and what was wrong with it, if anything. Returns the problems (at
 * most 20) and how many answers had each status.
 */
export async function runFuzz<C>(
  count: number,
  concurrency: number,
  make: (i: number) => C,
  check: (c: C) => Promise<{ status: number; problem?: string }>,
): Promise<{ problems: string[]; statuses: Record<number, number> }> {
  const problems: string[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const c = make(i);
      const { status, problem } = await check(c).catch((e: unknown) => ({ status: -1, problem: `threw: ${(e as Error)?.message ?? String(e)}` }));
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (problem && problems.length < 20) problems.push(`#${i} ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { problems, statuses };
}

