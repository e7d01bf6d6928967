import { startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { parseDnsServer } from '../src/acme/validation/validation.config';
import { alpnCertificate, challenge, sha256, validatorWith } from './acme-validation';

/*
 * tls-alpn-01 (RFC 8737) against real node:tls servers presenting
 * certificates openssl made, names resolved by a private pebble-challtestsrv.
 */

interface Responder {
  port: number;
  /** SNI values of the handshakes seen. */
  sni: string[];
  connections: number;
  close(): Promise<void>;
}

async function responder(cert: { cert: string; key: string }, alpn: TlsOptions['ALPNProtocols'] | 'none' = ['acme-tls/1']): Promise<Responder> {
  const r: Responder = { port: 0, sni: [], connections: 0, close: async () => undefined };
  const server = createTlsServer(
    {
      ...cert,
      ...(alpn === 'none' ? {} : { ALPNProtocols: alpn }),
      SNICallback: (name, cb) => {
        r.sni.push(name);
        cb(null, undefined);
      },
    },
    (socket) => socket.end(),
  );
  server.on('connection', () => r.connections++);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.port = (server.address() as AddressInfo).port;
  r.close = () => new Promise((ok) => server.close(() => ok()));
  return r;
}

describe('tls-alpn-01 validation', () => {
  let dns: ChallTestSrv;
  const open: Responder[] = [];
  beforeAll(async () => (dns = await startChallTestSrv()));
  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await dns?.stop();
  });

  const serve = async (...args: Parameters<typeof responder>) => {
    const r = await responder(...args);
    open.push(r);
    return r;
  };
  const validator = (port: number, more: Parameters<typeof validatorWith>[0] = {}) =>
    validatorWith({ tlsAlpn01Port: port, dnsResolvers: [parseDnsServer(dns.dns)!], timeoutMs: 3_000, ...more });

  it('ok/the right certificate, ALPN acme-tls/1, SNI the name', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: sha256(c.keyAuthorization) }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'ALPN.example' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    expect(srv.sni).toEqual(['alpn.example']);
  });

  it('ok/an ip identifier: SNI is the reverse name, the SAN the address (RFC 8738 6)', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'IP:127.0.0.1', digest: sha256(c.keyAuthorization) }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'ip', value: '127.0.0.1' }, ...c });
    expect(r).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    expect(srv.sni).toEqual(['1.0.0.127.in-addr.arpa']);
  });

  it('fail/a server that does not speak acme-tls/1', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: sha256(c.keyAuthorization) }), ['http/1.1']);
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'tls', detail: expect.stringMatching(/TLS to 127\.0\.0\.1:\d+ \(SNI alpn\.example\)/) } });
  });

  it('fail/a server without ALPN at all', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: sha256(c.keyAuthorization) }), 'none');
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'tls', detail: expect.stringContaining('did not negotiate ALPN "acme-tls/1" (selected: none)') } });
  });

  it('fail/the digest of another key authorization', async () => {
    const c = challenge();
    const other = sha256('something else');
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: other }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({
      ok: false,
      error: { type: 'incorrectResponse', detail: expect.stringContaining(`holds ${other.toString('hex')}, not SHA-256 of the key authorization (${sha256(c.keyAuthorization).toString('hex')})`) },
    });
  });

  it('fail/the acmeIdentifier extension not critical', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: sha256(c.keyAuthorization), acmeIdentifier: 'non-critical' }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringContaining('not marked critical') } });
  });

  it('fail/no acmeIdentifier extension (an ordinary certificate)', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', acmeIdentifier: 'absent' }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringContaining('no acmeIdentifier extension') } });
  });

  it.each([
    ['two names', 'DNS:alpn.example,DNS:other.example', /it has "dns:alpn\.example", "dns:other\.example"/],
    ['another name', 'DNS:other.example', /exactly one subjectAltName, dns:alpn\.example; it has "dns:other\.example"/],
    ['no names', undefined, /it has none/],
  ])('fail/a certificate with %s', async (_what, san, why) => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san, digest: sha256(c.keyAuthorization) }));
    const r = await validator(srv.port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringMatching(why) } });
  });

  it('fail/not TLS at all', async () => {
    const sockets = new Set<Socket>();
    const plain: Server = createServer((s) => {
      sockets.add(s);
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
    try {
      const r = await validator((plain.address() as AddressInfo).port).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...challenge() });
      expect(r).toEqual({ ok: false, error: { type: 'tls', detail: expect.stringContaining('TLS handshake failed') } });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => plain.close(ok));
    }
  });

  it('fail/a wildcard cannot be proved by tls-alpn-01', async () => {
    const r = await validator(443).validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: '*.alpn.example' }, ...challenge() });
    expect(r).toEqual({ ok: false, error: { type: 'malformed', detail: expect.stringContaining('dns-01') } });
  });

  it('fail/a forbidden address is refused before any connection', async () => {
    const c = challenge();
    const srv = await serve(alpnCertificate({ san: 'DNS:alpn.example', digest: sha256(c.keyAuthorization) }));
    const strict = validator(srv.port, { allowPrivateAddresses: false });
    expect(await strict.validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.example' }, ...c })).toEqual({
      ok: false,
      error: { type: 'rejectedIdentifier', detail: expect.stringContaining('loopback') },
    });
    expect(await strict.validate({ type: 'tls-alpn-01', identifier: { type: 'ip', value: '127.0.0.1' }, ...c })).toEqual({
      ok: false,
      error: { type: 'rejectedIdentifier', detail: expect.stringContaining('loopback') },
    });
    expect(srv.connections).toBe(0);
  });
});
