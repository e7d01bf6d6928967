import { Commands } from '@signet/contracts';
import { encodeKeyUsage, fromPem, OID, parseCertificate, toPem } from '@signet/x509';
import { startCaCore, type CaCoreHarness, issuing } from '../testing/ca-core-harness';
import { waitFor } from '../testing/infra';
import { ScratchDir } from '@signet/testing';
import { makeCsr, openssl, tryOpenssl } from '../testing/openssl';
import { CrlStore } from './crl.store';

/*
 * The revocation settings a CA gets when nobody tunes them, as `npm start`
 * and docker-compose configure it: every URL set (the delta's too), no delta
 * schedule. No certificate and no CRL may point at a delta CRL that is never
 * issued, and a revocation must reach the CRL without waiting for the daily
 * one (ADR 0019). ca-core in process on the real PostgreSQL and NATS; OpenSSL
 * reads what it signed.
 */

const ENV: Record<string, string | undefined> = {
  SIGNET_CRL_URL: 'http://defaults.test/ca.crl',
  SIGNET_DELTA_CRL_URL: 'http://defaults.test/ca+.crl',
  SIGNET_OCSP_URL: 'http://defaults.test/ocsp',
  SIGNET_CA_ISSUERS_URL: 'http://defaults.test/ca.crt',
  // Everything else at its default, whatever the caller's environment says (undefined unsets it).
  SIGNET_CRL_PERIOD_HOURS: undefined,
  SIGNET_CRL_VALIDITY_HOURS: undefined,
  SIGNET_DELTA_CRL_PERIOD_MINUTES: undefined,
  SIGNET_DELTA_CRL_VALIDITY_MINUTES: undefined,
  SIGNET_CRL_ON_REVOKE: undefined,
};

const officer = { name: 'olivia', roles: ['officer' as const] };

describe('revocation with default settings (real bus and database)', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  let caPath: string;

  beforeAll(async () => {
    h = await startCaCore('revdef', ENV);
    h.setPolicy(issuing([{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) }], 'issued'));
    caPath = w.write('ca.pem', h.caPem);
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  async function issue(name: string): Promise<{ serial: string; pem: string }> {
    const r = await h.submitOnBus('alice', { request: makeCsr(w, name, `/CN=${name}.defaults.test`) });
    expect(r.disposition).toBe('issued');
    return { serial: r.serial!, pem: r.certificate! };
  }

  /** The newest base CRL as PEM on disk, with OpenSSL's text of it (signature checked against the CA). */
  async function newestBaseCrl(): Promise<{ number: number; text: string }> {
    const first = await h.client.call(Commands.crlFetch, h.ca, {});
    const parts = [Buffer.from(first.chunk, 'base64')];
    for (let got = parts[0].length; got < first.size; got += parts[parts.length - 1].length) {
      parts.push(Buffer.from((await h.client.call(Commands.crlFetch, h.ca, { number: first.number, offset: got })).chunk, 'base64'));
    }
    const path = w.write(`crl-${first.number}.pem`, toPem(Buffer.concat(parts), 'X509 CRL'));
    const r = tryOpenssl(['crl', '-in', path, '-noout', '-text', '-CAfile', caPath]);
    const text = r.stdout + r.stderr;
    expect(text).toContain('verify OK');
    return { number: first.number, text };
  }

  it('certificates carry the CRL distribution point and AIA but no Freshest CRL while no delta CRLs are issued', async () => {
    const leaf = await issue('leaf');
    const oids = parseCertificate(fromPem(leaf.pem, 'CERTIFICATE')).extensions.map((e) => e.oid);
    expect(oids).toEqual(expect.arrayContaining([OID.crlDistributionPoints, OID.authorityInfoAccess]));
    expect(oids).not.toContain(OID.freshestCRL);
    const text = openssl(['x509', '-in', w.write('leaf.pem', leaf.pem), '-noout', '-text']);
    expect(text).toContain('URI:http://defaults.test/ca.crl');
    expect(text).not.toMatch(/Freshest CRL/);
    expect(text).not.toContain('ca+.crl');
  });

  it('the CA lists only the base CRL among its CRL URLs', async () => {
    const p = await h.client.call(Commands.caProperties, h.ca, { names: ['CRLUrls'] });
    expect(p.properties).toEqual({ CRLUrls: ['http://defaults.test/ca.crl'] });
  });

  it('the base CRL issued at start carries no Freshest CRL either', async () => {
    const crl = await waitFor('the first scheduled base CRL', async () => (await h.app.get(CrlStore).latest(h.ca, false)) ?? undefined);
    const { number, text } = await newestBaseCrl();
    expect(number).toBe(crl.number);
    expect(text).not.toMatch(/Freshest CRL/);
  });

  it('a revocation is on a new base CRL within seconds, without anyone publishing one', async () => {
    const leaf = await issue('revoked');
    const before = (await waitFor('a base CRL', async () => (await h.app.get(CrlStore).latest(h.ca, false)) ?? undefined)).number;
    await h.client.call(Commands.adminRevoke, h.ca, { actor: officer, serial: leaf.serial, reason: 1 });
    const after = await waitFor('a CRL after the revocation', async () => {
      const c = await h.app.get(CrlStore).latest(h.ca, false);
      return c && c.number > before ? c : undefined;
    }, 15_000, 100);
    expect(after).toMatchObject({ isDelta: false, entries: 1 });
    const { text } = await newestBaseCrl();
    expect(text).toMatch(new RegExp(`Serial Number: ${leaf.serial.toUpperCase()}[\\s\\S]*?Key Compromise`));
    // Nothing was asked for delta CRLs: none exists.
    expect(await h.app.get(CrlStore).latest(h.ca, true)).toBeUndefined();
  });
});
