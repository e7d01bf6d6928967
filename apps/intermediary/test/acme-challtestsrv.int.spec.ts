import { startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { parseDnsServer } from '../src/acme/validation/validation.config';
import { challenge, validatorWith } from './acme-validation';

/*
 * The validator against an independent implementation of the other side:
 * pebble-challtestsrv's own http-01 and tls-alpn-01 responders (Go, the
 * ACME reference test server), which ACME clients' own test suites use too.
 */

describe('validation against pebble-challtestsrv responders', () => {
  let srv: ChallTestSrv;
  beforeAll(async () => (srv = await startChallTestSrv({ http01: true, tlsAlpn01: true })));
  afterAll(() => srv?.stop());

  const validator = () =>
    validatorWith({ http01Port: srv.http01Port!, tlsAlpn01Port: srv.tlsAlpn01Port!, dnsResolvers: [parseDnsServer(srv.dns)!], timeoutMs: 5_000 });

  it('ok/http-01', async () => {
    const c = challenge();
    await srv.addHttp01(c.token, c.keyAuthorization);
    expect(await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'pebble.example' }, ...c })).toEqual({ ok: true, addressUsed: '127.0.0.1' });
    await srv.delHttp01(c.token);
    const gone = await validator().validate({ type: 'http-01', identifier: { type: 'dns', value: 'pebble.example' }, ...c });
    // challtestsrv answers an unknown token with an empty 200.
    expect(gone).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringContaining('the body "" is not the key authorization') } });
  });

  it('ok/tls-alpn-01', async () => {
    const c = challenge();
    await srv.addTlsAlpn01('alpn.pebble.example', c.keyAuthorization);
    expect(await validator().validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'alpn.pebble.example' }, ...c })).toEqual({
      ok: true,
      addressUsed: '127.0.0.1',
    });
  });

  it('fail/tls-alpn-01 for another key authorization', async () => {
    const c = challenge();
    await srv.addTlsAlpn01('other.pebble.example', challenge().keyAuthorization);
    const r = await validator().validate({ type: 'tls-alpn-01', identifier: { type: 'dns', value: 'other.pebble.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: expect.stringContaining('not SHA-256 of the key authorization') } });
  });
});
