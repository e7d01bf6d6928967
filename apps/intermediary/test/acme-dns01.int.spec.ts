import { freePort, startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { dns01Digest } from '../src/acme/validation/dns01';
import { parseDnsServer } from '../src/acme/validation/validation.config';
import { challenge, sha256, validatorWith } from './acme-validation';

/* dns-01 (RFC 8555 8.4) against a real DNS server: a private pebble-challtestsrv. */

describe('dns-01 validation', () => {
  let dns: ChallTestSrv;
  beforeAll(async () => (dns = await startChallTestSrv()));
  afterAll(() => dns?.stop());

  // DNS needs no connection to the identifier's addresses: the address policy stays strict.
  const validator = (more: Parameters<typeof validatorWith>[0] = {}) =>
    validatorWith({ dnsResolvers: [parseDnsServer(dns.dns)!], allowPrivateAddresses: false, timeoutMs: 3_000, ...more });

  it('ok/the digest is base64url(SHA-256(key authorization))', () => {
    // RFC 8555 8.4: base64url without padding of the 32-octet digest.
    expect(dns01Digest('abc')).toBe(sha256('abc').toString('base64url'));
    expect(dns01Digest('abc')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ok/the record among others at _acme-challenge.<name>', async () => {
    const c = challenge();
    await dns.setTxt('_acme-challenge.one.example', 'unrelated');
    await dns.setTxt('_acme-challenge.one.example', dns01Digest(c.keyAuthorization));
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'One.Example' }, ...c });
    expect(r).toEqual({ ok: true });
  });

  it('ok/a wildcard is proved at the base name', async () => {
    const c = challenge();
    await dns.setTxt('_acme-challenge.wild.example', dns01Digest(c.keyAuthorization));
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: '*.wild.example' }, ...c });
    expect(r).toEqual({ ok: true });
  });

  it('ok/through a CNAME (a delegated _acme-challenge name)', async () => {
    const c = challenge();
    await dns.setCname('_acme-challenge.delegated.example', 'token.validation.example');
    await dns.setTxt('token.validation.example', dns01Digest(c.keyAuthorization));
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'delegated.example' }, ...c });
    expect(r).toEqual({ ok: true });
  });

  it('fail/a stale value is incorrectResponse naming what was found', async () => {
    const c = challenge();
    await dns.setTxt('_acme-challenge.stale.example', 'old-value');
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'stale.example' }, ...c });
    expect(r).toEqual({
      ok: false,
      error: { type: 'incorrectResponse', detail: `the TXT records at _acme-challenge.stale.example ("old-value") do not include ${dns01Digest(c.keyAuthorization)}` },
    });
  });

  it('fail/many and long values are cut in the detail', async () => {
    for (let i = 0; i < 5; i++) await dns.setTxt('_acme-challenge.many.example', `${i}${'v'.repeat(200)}`);
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'many.example' }, ...challenge() });
    expect(!r.ok && r.error.detail).toMatch(/truncated.*and 2 more\) do not include/);
    expect(!r.ok && r.error.detail.length).toBeLessThan(600);
  });

  it('fail/no record at all', async () => {
    const c = challenge();
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'none.example' }, ...c });
    expect(r).toEqual({ ok: false, error: { type: 'incorrectResponse', detail: `no TXT record at _acme-challenge.none.example; expected ${dns01Digest(c.keyAuthorization)}` } });
  });

  it('ok/a record removed after a success no longer validates', async () => {
    const c = challenge();
    await dns.setTxt('_acme-challenge.gone.example', dns01Digest(c.keyAuthorization));
    expect((await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'gone.example' }, ...c })).ok).toBe(true);
    await dns.clearTxt('_acme-challenge.gone.example');
    expect((await validator().validate({ type: 'dns-01', identifier: { type: 'dns', value: 'gone.example' }, ...c })).ok).toBe(false);
  });

  it('fail/an ip identifier cannot use dns-01 (RFC 8738 7)', async () => {
    const r = await validator().validate({ type: 'dns-01', identifier: { type: 'ip', value: '192.0.2.1' }, ...challenge() });
    expect(r).toEqual({ ok: false, error: { type: 'malformed', detail: expect.stringContaining('RFC 8738') } });
  });

  it('fail/an unreachable DNS server is a dns error within the deadline', async () => {
    const r = await validator({ dnsResolvers: [{ address: '127.0.0.1', port: await freePort() }], timeoutMs: 500 }).validate({
      type: 'dns-01',
      identifier: { type: 'dns', value: 'x.example' },
      ...challenge(),
    });
    expect(r).toEqual({ ok: false, error: { type: 'dns', detail: expect.stringContaining('TXT lookup of _acme-challenge.x.example') } });
  });
});
