import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw chunks written one by one (for streamed exports). */
  chunks?: string[];
}

/**
 * A stand-in for the intermediary or admin-api over real HTTP: answers are
 * set per route, and every request is kept, so the tests check exactly what
 * the CLI sends and how it reads what comes back.
 */
export class FakeServer {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, (s: Seen) => Reply>();
  private server?: Server;
  url = '';

  on(route: string, reply: Reply | ((s: Seen) => Reply)): this {
    this.routes.set(route, typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url!, 'http://x');
        const text = Buffer.concat(chunks).toString();
        const seen: Seen = { method: req.method!, path: u.pathname, query: u.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
        this.seen.push(seen);
        const handler = this.routes.get(`${req.method} ${u.pathname}`);
        const r = handler ? handler(seen) : { status: 404, body: { code: 'NOT_FOUND', message: 'no such route' } };
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
        if (r.chunks) {
          for (const c of r.chunks) res.write(c);
          res.end();
        } else res.end(r.body === undefined ? '' : JSON.stringify(r.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}
