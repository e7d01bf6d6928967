import { startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseDnsServer } from '../src/acme/validation/validation.config';
import { parseAddressRange } from '../src/acme/validation/address-policy';
import { alpnCertificate, challenge, validatorWith } from './acme-validation';

/*
 * http-01 (RFC 8555 8.3) against real HTTP servers on loopback, names
 * resolved by a private pebble-challtestsrv (every A query: 127.0.0.1).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('http-01 validation', () => {
  let dns: ChallTestSrv;
  let server: Server;
  let port: number;
  let tlsServer: HttpsServer;
  let tlsPort: number;
  const handlers = new Map<string, Handler>();
  const seen: Array<{ host?: string; url?: string }> = [];
  let connections = 0;

  const listen = async (s: Server | HttpsServer): Promise<number> => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  };
  const handle: Handler = (req, res) => {
    seen.push({ host: req.headers.host, url: req.url });
    const h = handlers.get(req.url ?? '');
    if (h) h(req, res);
    else res.writeHead(404).end('not here');
  };

  beforeAll(async () => {
    dns = await startChallTestSrv();
    server = createServer(handle);
    server.on('connection', () => connections++);
    port = await listen(server);
    const { cert, key } = alpnCertificate({ san: 'DNS:secure.example', acmeIdentifier: 'absent' });
    tlsServer = createTlsServer({ cert, key }, handle);
    tlsPort = await listen(tlsServer);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    tlsServer?.closeAllConnections();
    await Promise.all([new Promise((r) => server?.close(r)), new Promise((r) => tlsServer?.close(r)), dns?.stop()]);
  });
  beforeEach(() => {
    handlers.clear();
    seen.length = 0;
    connections = 0;
  });

  const validator = (more: Parameters<typeof validatorWith>[0] = {}) =>
    validatorWith({ http01Port: port, tlsAlpn01Port: tlsPort, dnsResolvers: [parseDnsServer(dns.dns)!], timeoutMs: 5_000, ...more });
  const path = (token: string) => `/.well-known/acme-challenge/${token}`;
  const answer =
    (body: string | Buffer, status = 200): Handler =>
    (_req, res) =>
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
  const redirect =
    (location: string, status = 302): Handler =>
    (_req, res) =>
      res.writeHead(status, { Location: location }).end();

  it('ok/the key authorization, whitespace around it ignored; Host is the identifier', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer(`  ${c.keyAuthorization}\r\n`));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'A.Example' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    expect(seen).toEqual([{ host: `a.example:${port}`, url: path(c.token) }]);
  });

  it('ok/an ip identifier (RFC 8738 3): connects to the address itself', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer(c.keyAuthorization));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'ip', value: '127.0.0.1' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    expect(seen[0].host).toBe(`127.0.0.1:${port}`);
  });

  it('ok/an IPv6 identifier: the URL and Host carry it in brackets', async () => {
    const c = challenge();
    const hosts: Array<string | undefined> = [];
    const v6 = createServer((req, res) => {
      hosts.push(req.headers.host);
      res.end(c.keyAuthorization);
    });
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    const v6Port = (v6.address() as AddressInfo).port;
    try {
      const r = await validator({ http01Port: v6Port }).validate({ type: 'http-01', identifier: { type: 'ip', value: '::1' }, ...c });
      expect(r).toEqual({ ok: true, addressUsed: '::1' });
      expect(hosts).toEqual([`[::1]:${v6Port}`]);
    } finally {
      v6.closeAllConnections();
      await new Promise((r) => v6.close(r));
    }
  });

  it('ok/IPv6 first, IPv4 when nothing answers on IPv6', async () => {
    await dns.addAAAA('dual.example', ['::1']);
    await dns.addA('dual.example', ['127.0.0.1']);
    const c = challenge();
    handlers.set(path(c.token), answer(c.keyAuthorization));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'dual.example' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
  });

  it('fail/a wrong body is incorrectResponse and the detail shows it', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer('not-the-key-authorization'));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringContaining('"not-the-key-authorization"') } });
    expect(!r.ok && r.error.detail).toContain(c.keyAuthorization);
  });

  it('fail/a long wrong body is truncated in the detail', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer('x'.repeat(5_000)));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.type).toBe('incorrectResponse');
    expect(r.error.detail).toMatch(/5000 characters, truncated/);
    expect(r.error.detail.length).toBeLessThan(1_000);
  });

  it('fail/an oversized body is not read past the limit', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer(Buffer.alloc(1_000_000, 'y')));
    const r = await validator({ maxBodyBytes: 1_024 }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringMatching(/longer than 1024 bytes; it starts with "y{64}"… \(1024 characters, truncated\)/) } });
    expect(!r.ok && r.error.detail.length).toBeLessThan(400);
  });

  it('fail/control characters in the body are escaped in the detail', async () => {
    const c = challenge();
    handlers.set(path(c.token), answer('bad\u0007\u001b[31mred\u202e'));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(!r.ok && r.error.detail).toContain('"bad\\u0007\\u001b[31mred\\u202e"');
  });

  it('fail/HTTP 404 is unauthorized', async () => {
    const c = challenge();
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'unauthorized', detail: expect.stringContaining('HTTP 404') } });
  });

  it('ok/redirects are followed: relative, to another name, to https on the configured port', async () => {
    const c = challenge();
    handlers.set(path(c.token), redirect('/step-2', 301));
    handlers.set('/step-2', redirect(`http://b.example:${port}/step-3`, 307));
    handlers.set('/step-3', redirect(`https://secure.example:${tlsPort}/final?x=1#frag`, 308));
    handlers.set('/final?x=1', answer(c.keyAuthorization));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    expect(seen.map((s) => s.host)).toEqual([`a.example:${port}`, `a.example:${port}`, `b.example:${port}`, `secure.example:${tlsPort}`]);
  });

  it('fail/a redirect loop ends after the limit', async () => {
    const c = challenge();
    handlers.set(path(c.token), redirect(path(c.token)));
    const r = await validator({ maxRedirects: 3 }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'connection', detail: expect.stringContaining('too many redirects (at most 3') } });
    expect(seen).toHaveLength(4);
  });

  it.each([
    ['another port', (p: number) => `http://a.example:${p + 1}/x`, /uses port \d+; only 80 or \d+ are followed for http/],
    ['another scheme', () => 'ftp://a.example/x', /neither http nor https/],
    ['credentials', (p: number) => `http://user:pw@a.example:${p}/x`, /credentials/],
    ['no Location', () => '', /without a Location/],
    ['a bad host name', (p: number) => `http://a_b.example:${p}/x`, /host name that/],
  ])('fail/a redirect to %s is not followed', async (_what, location, why) => {
    const c = challenge();
    handlers.set(path(c.token), redirect(location(port)));
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'connection', detail: expect.stringMatching(why) } });
    expect(seen).toHaveLength(1);
  });

  it('fail/a server that does not answer runs into the deadline', async () => {
    const c = challenge();
    handlers.set(path(c.token), () => undefined);
    const r = await validator({ timeoutMs: 300 }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'connection', detail: expect.stringContaining('timed out (the validation may take 300 ms)') } });
  });

  it('fail/a body that trickles runs into the deadline too', async () => {
    const c = challenge();
    handlers.set(path(c.token), (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write(c.keyAuthorization.slice(0, 10));
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const r = await validator({ timeoutMs: 400 }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'connection', detail: expect.stringContaining('timed out (the validation may take 400 ms)') } });
  });

  it('fail/nothing listening is a connection error', async () => {
    const c = challenge();
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const r = await validator({ http01Port: closedPort }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'connection', detail: expect.stringContaining('ECONNREFUSED') } });
  });

  it('fail/a DNS server that does not answer is a dns error', async () => {
    const silent = createServer();
    const silentPort = await listen(silent);
    await new Promise((r) => silent.close(r));
    const r = await validator({ dnsResolvers: [{ address: '127.0.0.1', port: silentPort }], timeoutMs: 1_000 }).validate({
      type: 'http-01',
      identifier: { type: 'dns', value: 'a.example' },
      ...challenge(),
    });
    expect(r).toEqual({ ok: false, error: { type: 'dns', detail: expect.stringMatching(/lookup of a\.example/) } });
    expect(connections).toBe(0);
  });

  it('fail/a wildcard cannot be proved by http-01', async () => {
    const r = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: '*.a.example' }, ...challenge() });
    expect(r).toEqual({ ok: false, error: { type: 'malformed', detail: expect.stringContaining('dns-01') } });
  });

  describe('forbidden addresses (SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES unset)', () => {
    it('fail/a name resolving to loopback is refused before any connection', async () => {
      const c = challenge();
      handlers.set(path(c.token), answer(c.keyAuthorization));
      const r = await validator({ allowPrivateAddresses: false }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, ...c });
      expect(r).toEqual({ ok: false, error: { type: 'rejectedIdentifier', detail: '127.0.0.1 (a.example resolves to it) is loopback (RFC 1122); the validator does not connect there' } });
      expect(connections).toBe(0);
    });

    it('fail/an ip identifier in a private range is refused before any connection', async () => {
      const c = challenge();
      const r = await validator({ allowPrivateAddresses: false }).validate({ type: 'http-01', identifier: { type: 'ip', value: '127.0.0.1' }, ...c });
      expect(r).toEqual({ ok: false, error: { type: 'rejectedIdentifier', detail: expect.stringContaining('loopback') } });
      expect(connections).toBe(0);
    });

    it('fail/one forbidden address among several refuses the name', async () => {
      await dns.addA('mixed.example', ['8.8.8.8', '10.0.0.1']);
      const r = await validator({ allowPrivateAddresses: false }).validate({ type: 'http-01', identifier: { type: 'dns', value: 'mixed.example' }, ...challenge() });
      expect(r).toEqual({ ok: false, error: { type: 'rejectedIdentifier', detail: expect.stringContaining('10.0.0.1') } });
    });

    it.each([
      ['a loopback address', (p: number) => `http://127.0.0.2:${p}/x`, /127\.0\.0\.2 is loopback/],
      ['IPv6 loopback', (p: number) => `http://[::1]:${p}/x`, /\[::1\] is loopback/],
      ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is link-local/],
      ['a name resolving to a private address', (p: number) => `http://private.example:${p}/x`, /10\.0\.0\.1 \(private\.example resolves to it\) is private/],
    ])('fail/a redirect to %s is refused without connecting', async (_what, location, why) => {
      await dns.addA('private.example', ['10.0.0.1']);
      const c = challenge();
      handlers.set(path(c.token), redirect(location(port)));
      // Only this test's own first hop (127.0.0.1) is let through.
      const r = await validator({ allowPrivateAddresses: false, allowedAddresses: [parseAddressRange('127.0.0.1/32')!] }).validate({
        type: 'http-01',
        identifier: { type: 'dns', value: 'a.example' },
        ...c,
      });
      expect(r).toEqual({ ok: false, error: { type: 'rejectedIdentifier', detail: expect.stringMatching(why) } });
      expect(connections).toBe(1);
      expect(seen).toHaveLength(1);
    });
  });
});
