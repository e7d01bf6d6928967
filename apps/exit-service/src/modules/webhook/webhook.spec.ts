import { ExitEvent } from '@signet/contracts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { caEvent, ctx, delivery } from '../../testing/fixtures';
import { sign, verify } from './signature';
import { WebhookModule } from './webhook';

// A real HTTP receiver on 127.0.0.1 checks what the module sends.

const SECRET = 'k'.repeat(40);

describe('webhook signature (table)', () => {
  const body = '{"id":"e1"}';
  const ts = 1_760_000_000;
  const sig = sign(SECRET, ts, body);
  it.each([
    ['ok/genuine', { body, timestamp: String(ts), signature: sig }, true],
    ['fail/tampered body', { body: '{"id":"e2"}', timestamp: String(ts), signature: sig }, false],
    ['fail/timestamp changed', { body, timestamp: String(ts + 1), signature: sig }, false],
    ['fail/other key', { body, timestamp: String(ts), signature: sign('z'.repeat(40), ts, body) }, false],
    ['fail/too old (replay)', { body, timestamp: String(ts), signature: sig, nowSeconds: ts + 301 }, false],
    ['fail/missing signature', { body, timestamp: String(ts), signature: undefined }, false],
    ['fail/timestamp not a number', { body, timestamp: '1e9', signature: sig }, false],
  ])('%s', (_n, o, ok) => {
    expect(verify({ secret: SECRET, nowSeconds: ts + 10, ...o })).toBe(ok);
  });
});

describe('WebhookModule', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const module = () =>
    new WebhookModule({ name: 'hook', type: 'webhook', enabled: true, description: '', events: [ExitEvent.CertificateIssued], url, secret: SECRET, headers: { 'X-Tenant': 'a' }, delivery: delivery(), mask: 1 });

  it('ok/POSTs the event JSON with a signature the receiver verifies', async () => {
    const seen: Array<{ ok: boolean; body: string; headers: IncomingMessage['headers'] }> = [];
    handler = (req, body, res) => {
      seen.push({ ok: verify({ secret: SECRET, body, timestamp: req.headers['x-signet-timestamp'] as string, signature: req.headers['x-signet-signature'] as string }), body, headers: req.headers });
      res.writeHead(204).end();
    };
    const e = caEvent(ExitEvent.CertificateIssued, { serial: 'ab', requestId: 3 });
    await module().handle(e, ctx());
    expect(seen).toHaveLength(1);
    expect(seen[0].ok).toBe(true);
    expect(JSON.parse(seen[0].body)).toEqual(e);
    expect(seen[0].headers).toMatchObject({ 'content-type': 'application/json', 'x-signet-event-id': e.id, 'x-signet-event': 'certificate.issued', 'x-tenant': 'a' });
  });

  it.each([
    ['fail/a 500 fails the attempt with the status', 500, /answered 500: try later/],
    ['fail/a redirect is not followed', 302, /answered 302/],
  ])('%s', async (_n, status, msg) => {
    handler = (_req, _body, res) => res.writeHead(status, { location: 'http://127.0.0.1:1/' }).end('try later');
    await expect(module().handle(caEvent(ExitEvent.CertificateIssued), ctx())).rejects.toThrow(msg);
  });

  it('ok/deliveries share one kept-alive connection', async () => {
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    const m = module();
    try {
      for (let i = 0; i < 5; i++) await m.handle(caEvent(ExitEvent.CertificateIssued), ctx());
      expect(connections).toBe(1);
    } finally {
      server.off('connection', count);
      await m.close();
    }
  });

  it('ok/a kept-alive connection the receiver drops is retried once on a new one', async () => {
    const perSocket = new Map<object, number>();
    const received: string[] = [];
    handler = (req, body, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy(); // the receiver closed the idle connection as the request arrived
      received.push(JSON.parse(body).id);
      res.writeHead(204).end();
    };
    const m = module();
    try {
      const a = caEvent(ExitEvent.CertificateIssued);
      const b = caEvent(ExitEvent.CertificateIssued);
      await m.handle(a, ctx());
      await m.handle(b, ctx());
      expect(received).toEqual([a.id, b.id]);
    } finally {
      await m.close();
    }
  });

  it('fail/a receiver that drops a new connection fails the attempt (no retry loop)', async () => {
    let requests = 0;
    handler = (req) => (requests++, req.socket.destroy());
    const m = module();
    try {
      await expect(m.handle(caEvent(ExitEvent.CertificateIssued), ctx())).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(requests).toBe(1);
    } finally {
      await m.close();
    }
  });

  it('fail/a receiver that never answers is cut by the attempt signal', async () => {
    handler = () => undefined; // hangs
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('deadline')), 100);
    await expect(module().handle(caEvent(ExitEvent.CertificateIssued), ctx({ signal: ac.signal }))).rejects.toThrow();
  });
});
