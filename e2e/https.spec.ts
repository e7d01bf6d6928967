import { connect, type NatsConnection } from '@nats-io/transport-node';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientCertificateAuthenticator, DiscoveryService, loadConfig, RevocationClient } from '../apps/intermediary/src/testing-api';
import { servedCertificate } from '@signet/testing';
import { curl } from './support/https';
import { run } from './support/openssl';
import { waitFor } from './support/processes';
import { Stack } from './support/stack';

// The intermediary's HTTPS (ADR 0029) with all five services and the
// shipped policy: at start it asks its own CA for a SignetService
// certificate for localhost, 127.0.0.1 and ::1, serves the API over HTTPS
// with it (curl and openssl verify it against the CA certificate fetched
// over plain http), renews it on the running listener, and its TLS
// client-certificate authenticator asks the real ca-core whether a
// certificate is revoked.

const stack = new Stack();
const dir = mkdtempSync(join(tmpdir(), 'signet-https-'));
const file = (name: string) => join(dir, name);
// 30 days × 0.000005 ≈ 13 s: a renewal within the test.
const RENEW_FRACTION = '0.000005';


let caPath: string;
let first: X509Certificate;

beforeAll(async () => {
  await stack.start({ SIGNET_TLS_MODE: 'self-issued', SIGNET_TLS_RENEW_FRACTION: RENEW_FRACTION });
  // Relying parties fetch the CA certificate over plain http (AIA caIssuers); so does the operator who trusts it.
  const ca = await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`);
  expect(ca.status).toBe(200);
  caPath = file('ca.pem');
  writeFileSync(caPath, await ca.text());
  first = await servedCertificate(stack.httpsPort);
}, 180_000);
afterAll(() => stack.close(), 60_000);

describe('the intermediary over HTTPS', () => {
  it('curl --cacert ca.pem https://127.0.0.1:<port>/api/v1/cas verifies its self-issued certificate', async () => {
    const r = await curl(['--cacert', caPath, `${stack.httpsUrl}/api/v1/cas`]);
    expect([r.status, r.stderr]).toEqual([200, '']);
    expect(JSON.parse(r.body).cas.map((c: { name: string }) => c.name)).toContain(stack.ca);
    expect((await curl(['--cacert', caPath, `https://localhost:${stack.httpsPort}/healthz`])).status).toBe(200);
  });

  it('openssl verify -x509_strict accepts the served certificate: serverAuth, localhost and the loopback addresses', () => {
    writeFileSync(file('served.pem'), first.toString());
    const v = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPath, file('served.pem')]);
    expect(v.out).toContain(': OK');
    expect(first.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });

  it('was asked for by the intermediary itself under SignetService and issued at once', async () => {
    const rows = (await stack.db.query(`SELECT r.requester_name, c.template, c.serial FROM request r JOIN certificate c ON c.request_id = r.id WHERE c.serial = $1`, [first.serialNumber.toLowerCase()])).rows;
    expect(rows).toEqual([{ requester_name: 'service:intermediary', template: 'SignetService', serial: first.serialNumber.toLowerCase() }]);
  });

  it('plain http keeps CRLs, OCSP, CA certificates and health; the API is HTTPS only', async () => {
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
    const api = await fetch(`${stack.baseUrl}/api/v1/cas`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { message: string }).message).toBe('the API is served over HTTPS only; this listener serves /crl, /ocsp, /ca and health');
  });

  it('renews before expiry on the running listener: same names, new key and serial', async () => {
    const second = await waitFor(
      'a renewed certificate',
      async () => {
        const c = await servedCertificate(stack.httpsPort);
        return c.serialNumber !== first.serialNumber ? c : undefined;
      },
      60_000,
      500,
    );
    expect(second.subjectAltName).toBe(first.subjectAltName);
    expect(second.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(first.publicKey.export({ type: 'spki', format: 'der' }));
    expect(stack.service('intermediary').running).toBe(true);
    expect((await curl(['--cacert', caPath, `${stack.httpsUrl}/api/v1/cas`])).status).toBe(200);
  }, 90_000);
});

describe('the TLS client-certificate authenticator against the real ca-core', () => {
  let nc: NatsConnection;
  let auth: ClientCertificateAuthenticator;
  let leaf: X509Certificate;

  beforeAll(async () => {
    nc = await connect({ servers: process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222' });
    const config = loadConfig({ SIGNET_DEFAULT_CA: stack.ca, SIGNET_TLS_MODE: 'off', SIGNET_DISCOVERY_WAIT_MS: '500', SIGNET_FRONT_DOOR_KEY: stack.frontDoor.privateKeyPem });
    const discovery = new DiscoveryService(nc, config);
    auth = new ClientCertificateAuthenticator(discovery, new RevocationClient(nc, config, discovery));
    // A WebServer certificate, enrolled over HTTPS with an enrollment token that proves the name (ADR 0030).
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('old.key'), '-subj', '/CN=www.example.com', '-addext', 'subjectAltName=DNS:www.example.com', '-out', file('old.csr')]);
    const body = JSON.stringify({ csr: readFileSync(file('old.csr'), 'utf8'), attributes: { CertificateTemplate: 'WebServer' } });
    const token = await stack.enrollmentToken({ sub: 'www.example.com', sans: ['www.example.com'], template: 'WebServer' });
    const r = await curl(['--cacert', caPath, '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data-binary', body, `${stack.httpsUrl}/api/v1/requests`]);
    expect(r.status).toBe(201);
    leaf = new X509Certificate(JSON.parse(r.body).certificate);
  }, 60_000);
  afterAll(() => nc?.close());

  it('ok/a certificate of this CA: its names, principal <ca>/<serial>', async () => {
    const identity = await auth.check(leaf, new Date());
    expect(identity).toMatchObject({
      method: 'tls-client-certificate',
      principal: `${stack.ca}/${leaf.serialNumber.toLowerCase()}`,
      names: [{ type: 'dns', value: 'www.example.com' }],
      subject: [{ type: 'CN', value: 'www.example.com' }],
      evidence: { issuer: stack.ca, serial: leaf.serialNumber.toLowerCase() },
    });
  });

  it('fail/the intermediary\'s own CA certificate is no enrollee credential; a foreign certificate is not this CA\'s', async () => {
    await expect(auth.check(new X509Certificate(readFileSync(caPath)), new Date())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('self.key'), '-out', file('self.pem'), '-subj', '/CN=www.example.com', '-days', '1', '-addext', 'basicConstraints=critical,CA:FALSE']);
    await expect(auth.check(new X509Certificate(readFileSync(file('self.pem'))), new Date())).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'client certificate refused: not issued by a CA of this Signet' });
  });

  it('fail/expired: checked at a time after its notAfter', async () => {
    await expect(auth.check(leaf, new Date(new Date(leaf.validTo).getTime() + 1000))).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/expired at/) });
  });

  it('fail/revoked at the CA (through admin-api): 401 at once', async () => {
    await stack.adminReady();
    const officer = stack.token('officer-https', ['officer']).token;
    const r = await stack.admin('POST', `/api/v1/certificates/${leaf.serialNumber.toLowerCase()}/revoke`, officer, { reason: 'superseded' });
    expect(r.status).toBe(200);
    await expect(auth.check(leaf, new Date())).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/^client certificate refused: revoked at /) });
  });
});
