import { type INestMicroservice } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { type AdminSigningClient } from '../testing/admin-signing-client';
import { CaEventSchema, Commands, ErrorCode, Events, ExitEvent, type Actor } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeKeyUsage, encodeSubjectAltName, OID, toPem } from '@signet/x509';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DataSource } from 'typeorm';
import { CaKeysService } from '../ca/ca-keys.service';
import { SystemClock } from '../clock';
import { type CaConfig } from '../config/ca-config';
import { OcspSignerService } from '../ocsp/ocsp-signer.service';
import { OcspService } from '../ocsp/ocsp.service';
import { issuing, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { lastEvent, waitFor } from '../testing/infra';
import { makeCsr, openssl, tryOpenssl } from '../testing/openssl';
import { CrlScheduler, REVOCATION_NATS } from './crl.scheduler';
import { CrlService } from './crl.service';
import { CrlStore } from './crl.store';
import { REVOCATION_CONFIG, type RevocationConfig } from './revocation-config';

/*
 * CRLs and OCSP from ca-core in process, on the real PostgreSQL and NATS,
 * revoking through the real admin commands. OpenSSL judges every CRL and
 * OCSP response.
 */

/** The policy issues every request. */
const issue = issuing([
  { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
  { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'www.crl.test' }]) },
]);

const ENV = {
  SIGNET_CRL_PERIOD_HOURS: '0', // on demand only: the test decides when CRLs are issued
  SIGNET_CRL_ON_REVOKE: 'false', // (the test turns it on where it is the subject)
  // Deltas are issued (an hourly schedule, never due within the test), so their URL is published.
  SIGNET_DELTA_CRL_PERIOD_MINUTES: '60',
  SIGNET_CRL_URL: 'http://crl.test/ca.crl',
  SIGNET_DELTA_CRL_URL: 'http://crl.test/ca+.crl',
  SIGNET_OCSP_URL: 'http://ocsp.test/ca',
  SIGNET_CA_ISSUERS_URL: 'http://crl.test/ca.crt',
};

const admin: Actor = { name: 'root', roles: ['ca-admin'] };
const officer: Actor = { name: 'olivia', roles: ['officer'] };

describe('revocation status from ca-core (real bus and database)', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  // The harness's parts under the names the cases use.
  let ca: string;
  let ds: DataSource;
  let config: CaConfig;
  let caNc: NatsConnection;
  let otherNc: NatsConnection;
  let app: INestMicroservice;
  let client: AdminSigningClient;
  let caPath: string;
  const leaves: Record<string, { serial: string; path: string }> = {};

  beforeAll(async () => {
    h = await startCaCore('rev', { ...ENV, SIGNET_CA_SUBJECT: 'O=Signet Tests,CN=Revocation Test CA' });
    h.setPolicy(issue);
    ({ ca, ds, config, caNc, app, client, clientNc: otherNc } = h);
    caPath = w.write('ca.pem', h.caPem);
    for (const name of ['alice', 'bob', 'carol']) {
      const r = await client.call(Commands.submit, ca, { request: makeCsr(w, name, `/CN=${name}.crl.test`), attributes: 'CertificateTemplate:WebServer' });
      leaves[name] = { serial: r.serial!, path: w.write(`${name}.pem`, r.certificate!) };
    }
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  /** The newest CRL of a kind, assembled from slices as the HTTP edge does. */
  async function fetchCrl(delta = false): Promise<{ der: Buffer; path: string; text: string; number: number }> {
    const first = await client.call(Commands.crlFetch, ca, { delta });
    const parts = [Buffer.from(first.chunk, 'base64')];
    let got = parts[0].length;
    while (got < first.size) {
      const next = await client.call(Commands.crlFetch, ca, { delta, number: first.number, offset: got });
      parts.push(Buffer.from(next.chunk, 'base64'));
      got += parts[parts.length - 1].length;
    }
    const der = Buffer.concat(parts);
    expect(createHash('sha256').update(der).digest('hex')).toBe(first.sha256);
    const path = w.write(`crl-${first.number}.pem`, toPem(der, 'X509 CRL'));
    const r = tryOpenssl(['crl', '-in', path, '-noout', '-text', '-CAfile', caPath]);
    const text = r.stdout + r.stderr;
    expect(text).toContain('verify OK');
    return { der, path, text, number: first.number };
  }

  const verify = (leaf: string, ...crls: string[]) =>
    tryOpenssl(['verify', '-crl_check', '-CAfile', caPath, ...crls.flatMap((c) => ['-CRLfile', c]), leaves[leaf].path]);

  it('answers NOT_FOUND before any CRL exists', async () => {
    await expect(client.call(Commands.crlFetch, ca, {})).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('issued certificates carry the configured CDP and AIA, and the CA reports them', async () => {
    const text = openssl(['x509', '-in', leaves.alice.path, '-noout', '-text']);
    expect(text).toMatch(/X509v3 CRL Distribution Points:\s*\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.test\/ca\.crl/);
    expect(text).toMatch(/Authority Information Access:\s*\n\s*OCSP - URI:http:\/\/ocsp\.test\/ca\n\s*CA Issuers - URI:http:\/\/crl\.test\/ca\.crt/);
    expect(text).toMatch(/X509v3 Freshest CRL:\s*\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.test\/ca\+\.crl/);
    const p = await client.call(Commands.caProperties, ca, { names: ['CRLUrls', 'AIAUrls', 'OCSPUrls', 'CRLState'] });
    expect(p.properties).toEqual({ CRLUrls: [ENV.SIGNET_CRL_URL, ENV.SIGNET_DELTA_CRL_URL], AIAUrls: [ENV.SIGNET_CA_ISSUERS_URL], OCSPUrls: [ENV.SIGNET_OCSP_URL], CRLState: null });
  });

  it('refuses a publication by someone who is not a CA administrator', async () => {
    await expect(client.call(Commands.adminPublishCrl, ca, { actor: officer })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });

  let base1: number;
  it('publishes an empty base CRL on demand: stored, evented, audited, and openssl accepts the certificates', async () => {
    const r = await client.call(Commands.adminPublishCrl, ca, { actor: admin });
    expect(r).toMatchObject({ delta: false, baseCrlNumber: null, entries: 0 });
    base1 = r.crlNumber;
    const crl = await fetchCrl();
    expect(crl.number).toBe(base1);
    expect(crl.text).toContain('No Revoked Certificates.');
    expect(crl.text).toMatch(/Freshest CRL:\s*\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.test\/ca\+\.crl/);
    expect(verify('alice', crl.path).stdout).toContain(': OK');
    const ev = await waitFor('crl.issued published', () => lastEvent(otherNc, Events.subject(ca, ExitEvent.CrlIssued)));
    expect(ev.payload).toMatchObject({ event: 'crl.issued', ca, message: expect.stringContaining(`base CRL ${base1}: 0 entries`), crl: { number: base1, delta: false, baseNumber: null, entries: 0 } });
    // The event names the very CRL that is served: an exit module can fetch it and check it.
    expect(CaEventSchema.parse(ev.payload).crl!.sha256).toBe(createHash('sha256').update(crl.der).digest('hex'));
    const [audit] = await ds.query(`SELECT actor, action, details FROM audit_log WHERE ca_name = $1 AND action = 'crl.publish'`, [ca]);
    expect(audit).toMatchObject({ actor: 'root', details: { number: base1, delta: false, entries: 0 } });
    expect((await client.call(Commands.caProperties, ca, { names: ['CRLState'] })).properties).toEqual({ CRLState: 'valid' });
  });

  it('a delta lists what was revoked since the base, pointing at the base, with reason and invalidity date', async () => {
    await client.call(Commands.adminRevoke, ca, { actor: officer, serial: leaves.alice.serial, reason: 1, invalidityDate: '2026-01-02T03:04:05Z' });
    await client.call(Commands.adminRevoke, ca, { actor: officer, serial: leaves.bob.serial, reason: 6 });
    const r = await client.call(Commands.adminPublishCrl, ca, { actor: admin, delta: true });
    expect(r).toMatchObject({ delta: true, baseCrlNumber: base1, entries: 2 });
    expect(r.crlNumber).toBeGreaterThan(base1);
    const delta = await fetchCrl(true);
    expect(delta.text).toMatch(new RegExp(`Delta CRL Indicator: critical\\s*\\n\\s*${base1}\\n`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${leaves.alice.serial.toUpperCase()}\\s*\\n\\s*Revocation Date: .*\\n\\s*CRL entry extensions:\\s*\\n\\s*X509v3 CRL Reason Code:\\s*\\n\\s*Key Compromise\\s*\\n\\s*Invalidity Date:\\s*\\n\\s*Jan  2 03:04:05 2026 GMT`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${leaves.bob.serial.toUpperCase()}[\\s\\S]*?Certificate Hold`));
    expect(delta.text).not.toContain(leaves.carol.serial.toUpperCase());
  });

  let base2: { number: number; path: string };
  it('the next base lists every revocation; openssl and certtool refuse the revoked certificate', async () => {
    const r = await client.call(Commands.adminPublishCrl, ca, { actor: admin });
    expect(r).toMatchObject({ delta: false, entries: 2 });
    const crl = await fetchCrl();
    base2 = { number: crl.number, path: crl.path };
    const bad = verify('alice', crl.path);
    expect(bad.stdout + bad.stderr).toContain('certificate revoked');
    expect(verify('carol', crl.path).stdout).toContain(': OK');
    const holds = await ds.query(`SELECT serial FROM crl_hold WHERE ca_name = $1 AND crl_number = $2`, [ca, crl.number]);
    expect(holds).toEqual([{ serial: leaves.bob.serial }]);
  });

  it('a release from hold after the base appears as removeFromCRL in the next delta, and a new revocation too', async () => {
    await client.call(Commands.adminRelease, ca, { actor: officer, serial: leaves.bob.serial });
    await client.call(Commands.adminRevoke, ca, { actor: officer, serial: leaves.carol.serial, reason: 4 });
    const r = await client.call(Commands.adminPublishCrl, ca, { actor: admin, delta: true });
    expect(r).toMatchObject({ delta: true, baseCrlNumber: base2.number });
    const delta = await fetchCrl(true);
    expect(delta.text).toMatch(new RegExp(`Delta CRL Indicator: critical\\s*\\n\\s*${base2.number}\\n`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${leaves.bob.serial.toUpperCase()}[\\s\\S]*?Remove From CRL`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${leaves.carol.serial.toUpperCase()}[\\s\\S]*?Superseded`));
    // Base + delta: carol is revoked for openssl (-crl_check with both, as -use_deltas would combine them).
    const r2 = tryOpenssl(['verify', '-crl_check', '-use_deltas', '-CAfile', caPath, '-CRLfile', base2.path, '-CRLfile', delta.path, leaves.carol.path]);
    expect(r2.stdout + r2.stderr).toContain('certificate revoked');
  });

  it('CRL numbers stay unique and ordered when replicas publish at the same time', async () => {
    const results = await Promise.all([0, 1, 2, 3].map((i) => client.call(Commands.adminPublishCrl, ca, { actor: admin, delta: i % 2 === 1 })));
    const numbers = results.map((r) => r.crlNumber).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(4);
    expect(numbers[3] - numbers[0]).toBe(3);
  });

  it('slices a CRL for the bus: offsets past the end are refused, metaOnly carries no bytes', async () => {
    const meta = await client.call(Commands.crlFetch, ca, { metaOnly: true });
    expect(meta.chunk).toBe('');
    expect(meta.size).toBeGreaterThan(100);
    await expect(client.call(Commands.crlFetch, ca, { number: meta.number, offset: meta.size + 1 })).rejects.toMatchObject({ code: ErrorCode.BadMessage });
    await expect(client.call(Commands.crlFetch, ca, { number: 99_999 })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('the schedule issues what is due once, however many replicas look', async () => {
    const base = app!.get(CrlService) as unknown as Record<'outbox' | 'audit' | 'relay', never>;
    const scheduled: RevocationConfig = { ...app!.get<RevocationConfig>(REVOCATION_CONFIG), basePeriodMs: 2_000, deltaPeriodMs: 0 };
    const replica = () => new CrlService(config, scheduled, ds, app!.get(CaKeysService), app!.get(CrlStore), base.outbox, base.audit, base.relay, new SystemClock());
    const store = app!.get(CrlStore);
    await client.call(Commands.adminPublishCrl, ca, { actor: admin });
    // The newest base is fresh: nothing is due.
    expect(await replica().publishIfDue()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2_100));
    const before = (await store.latest(ca, false))!.number;
    const runs = await Promise.all([replica(), replica(), replica()].map((s) => s.publishIfDue()));
    expect(runs.filter(Boolean)).toHaveLength(1);
    expect(runs.find(Boolean)).toMatchObject({ delta: false });
    const after = (await store.latest(ca, false))!;
    expect(after.number).toBeGreaterThan(before);
    expect(await ds.query(`SELECT count(*)::int AS n FROM crl WHERE ca_name = $1 AND number > $2`, [ca, before])).toEqual([{ n: 1 }]);
    expect(await ds.query(`SELECT issued_by FROM crl WHERE ca_name = $1 AND number = $2`, [ca, after.number])).toEqual([{ issued_by: 'ca' }]);
  });

  it('after a revocation, with SIGNET_CRL_ON_REVOKE, a delta is published without anyone asking', async () => {
    const rc: RevocationConfig = { ...app!.get<RevocationConfig>(REVOCATION_CONFIG), onRevoke: true };
    const scheduler = new CrlScheduler(config, rc, app!.get(REVOCATION_NATS), app!.get(CaKeysService), app!.get(CrlService));
    scheduler.onApplicationBootstrap();
    try {
      await caNc.flush();
      const r = await client.call(Commands.submit, ca, { request: makeCsr(w, 'dave', '/CN=dave.crl.test'), attributes: 'CertificateTemplate:WebServer' });
      const before = (await app!.get(CrlStore).latest(ca, true))!.number;
      await client.call(Commands.adminRevoke, ca, { actor: officer, serial: r.serial!, reason: 5 });
      const after = await waitFor('a delta after the revocation', async () => {
        const d = await app!.get(CrlStore).latest(ca, true);
        return d && d.number > before ? d : undefined;
      }, 10_000, 100);
      expect(after.isDelta).toBe(true);
      const delta = await fetchCrl(true);
      expect(delta.text).toMatch(new RegExp(`Serial Number: ${r.serial!.toUpperCase()}[\\s\\S]*?Cessation Of Operation`));
    } finally {
      await scheduler.onApplicationShutdown();
    }
  });

  describe('OCSP', () => {
    const ocsp = async (req: Buffer) => client.call(Commands.ocspRespond, ca, { request: req.toString('base64') });
    const request = (leaf: string, args: string[] = []) => {
      const path = w.path(`${leaf}-${args.join('')}.req`);
      openssl(['ocsp', '-issuer', caPath, ...args, '-cert', leaves[leaf].path, '-reqout', path]);
      return { path, der: readFileSync(path) as Buffer };
    };
    const judge = (req: { path: string }, resp: string, leaf: string, digest: string[] = []) => {
      const extra: string[] = [];
      const respPath = w.write(`${leaf}-${Date.now()}.resp`, Buffer.from(resp, 'base64'));
      const sig = tryOpenssl(['ocsp', '-reqin', req.path, '-respin', respPath, '-CAfile', caPath, '-verify_other', caPath, ...extra]);
      const status = tryOpenssl(['ocsp', '-respin', respPath, '-issuer', caPath, ...digest, '-cert', leaves[leaf].path, '-CAfile', caPath, '-verify_other', caPath, '-no_nonce', ...extra]);
      return { sig: sig.stdout + sig.stderr, status: status.stdout + status.stderr };
    };

    it('good for a valid certificate (SHA-1 CertID), nonce echoed and not cacheable', async () => {
      leaves.erin = await (async () => {
        const r = await client.call(Commands.submit, ca, { request: makeCsr(w, 'erin', '/CN=erin.crl.test'), attributes: 'CertificateTemplate:WebServer' });
        return { serial: r.serial!, path: w.write('erin.pem', r.certificate!) };
      })();
      const req = request('erin');
      const r = await ocsp(req.der);
      expect(r).toMatchObject({ status: 'successful', cacheable: false, serials: [leaves.erin.serial] });
      const j = judge(req, r.response, 'erin');
      expect(j.sig).toContain('Response verify OK');
      expect(j.status).toMatch(/: good\n/);
    });

    it('revoked with reason and time (SHA-256 CertID); cacheable without a nonce, until nextUpdate', async () => {
      const req = request('alice', ['-sha256', '-no_nonce']);
      const r = await ocsp(req.der);
      expect(r).toMatchObject({ status: 'successful', cacheable: true });
      expect(Date.parse(r.nextUpdate!) - Date.parse(r.thisUpdate!)).toBe(60 * 60_000);
      const j = judge(req, r.response, 'alice', ['-sha256']);
      expect(j.status).toMatch(/: revoked\n\s*This Update: .*\n\s*Next Update: .*\n\s*Reason: keyCompromise\n\s*Revocation Time: /);
    });

    it('a released hold is good again', async () => {
      const j = judge(request('bob'), (await ocsp(request('bob').der)).response, 'bob');
      expect(j.status).toMatch(/: good\n/);
    });

    it('unknown for a serial this CA never issued, unauthorized for another issuer, malformedRequest for garbage', async () => {
      const unknownPath = w.path('unknown.req');
      openssl(['ocsp', '-issuer', caPath, '-serial', '0x0badc0ffee', '-reqout', unknownPath]);
      const u = await ocsp(readFileSync(unknownPath));
      const out = tryOpenssl(['ocsp', '-reqin', unknownPath, '-respin', w.write('unknown.resp', Buffer.from(u.response, 'base64')), '-CAfile', caPath, '-verify_other', caPath, '-resp_text']);
      expect(out.stdout + out.stderr).toMatch(/Cert Status: unknown/);

      openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', w.path('other.key'), '-subj', '/CN=Other', '-out', w.path('other.pem')]);
      openssl(['ocsp', '-issuer', w.path('other.pem'), '-serial', '0x01', '-reqout', w.path('foreign.req')]);
      expect(await ocsp(readFileSync(w.path('foreign.req')))).toMatchObject({ status: 'unauthorized', response: Buffer.from('30030a0106', 'hex').toString('base64') });

      expect(await ocsp(Buffer.from('not an OCSP request'))).toMatchObject({ status: 'malformedRequest', response: Buffer.from('30030a0101', 'hex').toString('base64'), cacheable: false });
    });

    it('a delegated responder certificate signs when configured; it is renewed once by one replica', async () => {
      const rc: RevocationConfig = { ...app!.get<RevocationConfig>(REVOCATION_CONFIG), ocspSigner: 'delegated', ocspSignerValidityMs: 30 * 86_400_000 };
      const keys = app!.get(CaKeysService);
      const signers = [0, 1, 2].map(() => new OcspSignerService(config, rc, ds, keys));
      const responders = await Promise.all(signers.map((s) => s.responder(new Date())));
      expect(new Set(responders.map((r) => r.delegatedSerial)).size).toBe(1);
      const service = new OcspService(config, rc, ds, keys, signers[0], new SystemClock());
      const req = request('alice');
      const r = await service.respond(req.der);
      const certPath = w.write('responder.pem', toPem(responders[0].certs[0], 'CERTIFICATE'));
      const text = openssl(['x509', '-in', certPath, '-noout', '-text']);
      expect(text).toMatch(/Extended Key Usage:\s*\n\s*OCSP Signing/);
      expect(text).toMatch(/OCSP No Check/);
      const j = judge(req, r.response, 'alice');
      expect(j.sig).toContain('Response verify OK');
      expect(j.status).toMatch(/: revoked\n/);
      const va = tryOpenssl(['ocsp', '-reqin', req.path, '-respin', w.write('va.resp', Buffer.from(r.response, 'base64')), '-VAfile', certPath]);
      expect(va.stdout + va.stderr).toContain('Response verify OK');
      // 21 days on: two thirds of the life are over, so the replicas renew — once.
      const later = new Date(Date.now() + 21 * 86_400_000);
      const renewed = await Promise.all(signers.map((s) => s.responder(later)));
      expect(new Set(renewed.map((x) => x.delegatedSerial)).size).toBe(1);
      expect(renewed[0].delegatedSerial).not.toBe(responders[0].delegatedSerial);
      expect(await ds.query(`SELECT count(*)::int AS n FROM ocsp_signer WHERE ca_name = $1`, [ca])).toEqual([{ n: 2 }]);
    });
  });
});
