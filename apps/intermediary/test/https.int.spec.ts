import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { createBusMicroservice } from '@signet/bus';
import { Commands, HTTP_STATUS, isSignetError, type Name, type OcspRespondReply, type San, type SubmitRequestParsed } from '@signet/contracts';
import { CapturingLogger, type HttpRequest, type HttpResponse } from '@signet/http';
import { ScratchDir, servedCertificate } from '@signet/testing';
import {
  createSelfSignedCa,
  createSigner,
  decodeRequestText,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeAuthorityKeyIdentifier,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  subjectKeyIdentifier,
  generateKeyPair,
  issueCertificate,
  OID,
  parseCsr,
  parseOcspRequest,
  buildOcspResponse,
  prepareCertificate,
  randomSerialHex,
  toPem,
} from '@signet/x509';
import { execFile, execFileSync } from 'node:child_process';
import { type KeyObject, X509Certificate } from 'node:crypto';
import { copyFileSync, renameSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/config';
import { ClientCertificateAuthenticator } from '../src/tls/client-certificate.authenticator';
import { HttpsListener } from '../src/tls/https.listener';
import { TlsCertificates } from '../src/tls/tls-certificates.service';
import { FakeCa } from './fake-ca';
import { assertionClaims, FRONT_DOOR, NATS_URL, uniqueCaName } from './harness';

/*
 * HTTPS on the real intermediary app over real NATS (ADR 0029), with
 * ca-core played by a stand-in that signs with a real test CA: the
 * self-issued certificate (checked by curl and openssl), its renewal
 * without a restart, the API kept off plain HTTP, and the client-certificate
 * authenticator on the intermediary's own HTTPS listener, driven by curl.
 */

const SEC = 1000;
const DAY = 86_400 * SEC;
const scratch = new ScratchDir('signet-https-');
afterAll(() => scratch.remove());

interface TestCa {
  der: Buffer;
  pem: string;
  key: KeyObject;
  spki: Buffer;
  path: string;
}

async function makeCa(name: string): Promise<TestCa> {
  const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
  const now = Date.now();
  const der = await createSelfSignedCa({ subject: [{ type: 'CN', value: name }], privateKey, publicKey, notBefore: new Date(now - 7 * DAY), notAfter: new Date(now + 365 * DAY) });
  const pem = toPem(der, 'CERTIFICATE');
  return { der, pem, key: privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }), path: scratch.write(`${name}.pem`, pem) };
}

interface Leaf {
  pem: string;
  serial: string;
  certPath: string;
  keyPath: string;
}

async function issue(ca: TestCa, opts: { subject: Name; sans: San[]; spki?: Buffer; notBefore: Date; notAfter: Date; eku: string }): Promise<Leaf & { key?: KeyObject }> {
  const keys = opts.spki ? undefined : generateKeyPair('ecdsa-p256');
  const serial = randomSerialHex();
  const spki = opts.spki ?? keys!.publicKey.export({ type: 'spki', format: 'der' });
  const der = await issueCertificate(
    prepareCertificate(
      {
        serialHex: serial,
        subject: opts.subject,
        notBefore: opts.notBefore,
        notAfter: opts.notAfter,
        spki,
        extensions: [
          { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
          { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
          { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([opts.eku]) },
          { oid: OID.subjectAltName, critical: opts.subject.length === 0, value: encodeSubjectAltName(opts.sans) },
          { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(spki)) },
          { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(ca.spki)) },
        ],
      },
      { certificateDer: ca.der, signer: createSigner(ca.key) },
    ),
  );
  const pem = toPem(der, 'CERTIFICATE');
  const name = `leaf-${serial}`;
  return {
    pem,
    serial,
    certPath: scratch.write(`${name}.pem`, pem),
    keyPath: keys ? scratch.write(`${name}.key`, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600) : '',
  };
}

/** Real curl, run asynchronously (the server under test lives in this process): status and body. */
function curl(args: string[]): Promise<{ status: number; body: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-S', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 20 * SEC }, (_e, stdout, stderr) => {
      const lines = stdout.split('\n');
      resolve({ status: Number(lines.pop()), body: lines.join('\n'), stderr });
    });
  });
}


async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20 * SEC): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The stand-in ca-core's OCSP answers: serials it revoked, serials it knows. */
const ocsp = { revoked: new Set<string>(), known: new Set<string>(), down: false };
let ca: TestCa;

@Controller()
class FakeOcsp {
  @MessagePattern(Commands.ocspRespond.name)
  async respond(@Payload() req: { request: string }): Promise<OcspRespondReply> {
    if (ocsp.down) return new Promise(() => undefined); // never answers: the caller times out
    const { certIds } = parseOcspRequest(Buffer.from(req.request, 'base64'));
    const now = new Date(Math.floor(Date.now() / SEC) * SEC);
    const responses = certIds.map((id) => ({
      certIdDer: id.der,
      status: ocsp.revoked.has(id.serialHex!)
        ? { kind: 'revoked' as const, revokedAt: new Date(now.getTime() - SEC), reason: 1 }
        : ocsp.known.has(id.serialHex!)
          ? { kind: 'good' as const }
          : { kind: 'unknown' as const },
      thisUpdate: now,
    }));
    const der = await buildOcspResponse({ signer: createSigner(ca.key), producedAt: now, responses });
    return { status: 'successful', response: der.toString('base64'), cacheable: false, serials: certIds.map((c) => c.serialHex!) };
  }
}

@Module({ controllers: [FakeOcsp] })
class FakeOcspModule {}

describe('intermediary HTTPS (ADR 0029)', () => {
  let nc: NatsConnection;
  let fake: FakeCa;
  let responder: INestMicroservice;
  let app: NestExpressApplication;
  let httpUrl: string;
  let port: number;
  /** Validity of what the stand-in CA issues for the intermediary, and whether it denies instead (until the first test has seen /readyz wait). */
  const lifetimeMs = 30 * SEC;
  let deny = true;

  beforeAll(async () => {
    ca = await makeCa('Fake HTTPS CA');
    nc = await connect({ servers: NATS_URL });
    fake = new FakeCa(uniqueCaName('https'));
    fake.certificate = ca.pem;
    let n = 0;
    fake.onSubmit = async (req: SubmitRequestParsed) => {
      n++;
      if (deny) return FakeCa.submitted(n, 'denied', { message: 'not yet' });
      const csr = await parseCsr(decodeRequestText(req.request));
      const now = new Date(Math.floor(Date.now() / SEC) * SEC - SEC);
      const leaf = await issue(ca, { subject: csr.subject, sans: csr.subjectAltNames, spki: csr.spki, notBefore: now, notAfter: new Date(now.getTime() + lifetimeMs), eku: OID.serverAuth });
      return FakeCa.submitted(n, 'issued', { certificate: leaf.pem, chain: [ca.pem], serial: leaf.serial });
    };
    await fake.start(nc);
    responder = await createBusMicroservice(FakeOcspModule, { connection: nc, ca: fake.name, logger: false });
    await responder.listen();

    const config = loadConfig({
      SIGNET_NATS_URL: NATS_URL,
      SIGNET_FRONT_DOOR_KEY: FRONT_DOOR.privateKeyPem,
      SIGNET_HTTP_PORT: '0',
      SIGNET_HTTPS_PORT: '0',
      SIGNET_DEFAULT_CA: fake.name,
      // Generous: a revocation answer that times out on a busy machine would read as 503, not the 401 a case expects.
      SIGNET_CA_TIMEOUT_MS: '4000',
      SIGNET_DISCOVERY_WAIT_MS: '400',
      // Renew after 3 s of a 30 s certificate.
      SIGNET_TLS_RENEW_FRACTION: '0.1',
    });
    app = await createApp(config, nc, { logger: new CapturingLogger() });
    // A probe route on the intermediary's own Express app (ahead of Nest's routes): what the authenticator makes of the caller.
    const auth = app.get(ClientCertificateAuthenticator);
    (app.getHttpAdapter().getInstance() as { get(path: string, h: (req: HttpRequest, res: HttpResponse) => void): void }).get('/api/test/whoami', (req, res) => {
      auth.authenticate(req).then(
        (identity) => res.status(200).json({ identity: identity ?? null }),
        (e: unknown) => res.status(isSignetError(e) ? HTTP_STATUS[e.code] : 500).json({ code: isSignetError(e) ? e.code : 'INTERNAL', message: (e as Error).message }),
      );
    });
    await app.listen(0, '127.0.0.1');
    httpUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await responder?.close();
    await fake?.stop();
    await nc?.close();
  });

  it('is not ready until its first certificate, then serves HTTPS with it', async () => {
    // The CA denied the first request: /readyz says so, naming tls.
    const early = await fetch(`${httpUrl}/readyz`);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { details: { components: Record<string, string> } }).details.components.tls).toMatch(/^waiting for the intermediary's own TLS certificate/);
    deny = false;

    port = (await app.get(HttpsListener).whenListening()).port;
    await waitFor('ready', async () => (await fetch(`${httpUrl}/readyz`)).ok || undefined);
    const ready = (await (await fetch(`${httpUrl}/readyz`)).json()) as { components: Record<string, string> };
    expect(ready.components.tls).toBe('ready');

    // It asked for the configured names under SignetService, as itself.
    const submit = fake.submits.at(-1)!;
    expect(submit.attributes).toBe('CertificateTemplate:SignetService');
    expect(await assertionClaims(fake.name, submit.identityAssertion)).toMatchObject({
      purpose: 'submit',
      identity: { method: 'service', principal: 'intermediary', names: [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }] },
    });
    expect((await parseCsr(decodeRequestText(submit.request))).subjectAltNames).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]);
  });

  it('curl --cacert ca.pem verifies it; openssl verify -x509_strict accepts the served certificate', async () => {
    const r = (await curl(['--cacert', ca.path, `https://127.0.0.1:${port}/api/v1/cas`]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).cas.map((c: { name: string }) => c.name)).toContain(fake.name);
    expect((await curl(['--cacert', ca.path, `https://localhost:${port}/healthz`])).status).toBe(200);

    const served = scratch.write('served.pem', (await servedCertificate(port)).toString());
    expect(execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', ca.path, served], { encoding: 'utf8' })).toContain(': OK');

    // Without the CA, curl refuses it: the trust comes from ca.pem.
    expect((await curl([`https://127.0.0.1:${port}/healthz`])).status).toBe(0);
  });

  it('plain HTTP keeps CRLs, OCSP, CA certificates and health, and answers the API with a pointer to HTTPS', async () => {
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    const api = await fetch(`${httpUrl}/api/v1/cas`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ code: 'NOT_FOUND', message: 'the API is served over HTTPS only; this listener serves /crl, /ocsp, /ca and health' });
    // Express matches routes case-insensitively: the upper-case spelling is no way around it.
    expect((await fetch(`${httpUrl}/API/v1/cas`)).status).toBe(404);
    expect((await curl(['--cacert', ca.path, `https://127.0.0.1:${port}/API/v1/cas`])).status).toBe(200);
    // The CA certificate route is not the API: answered (here from the stand-in's discovery record) over http.
    expect((await fetch(`${httpUrl}/ca/${fake.name}.crt`)).status).not.toBe(404);
  });

  it('renews before expiry and swaps the certificate on the running listener', async () => {
    const certificates = app.get(TlsCertificates);
    const first = await servedCertificate(port);
    await waitFor('a renewal', () => (certificates.renewed >= 1 ? true : undefined), 15 * SEC);
    const second = await waitFor('the new certificate served', async () => {
      const c = await servedCertificate(port);
      return c.serialNumber !== first.serialNumber ? c : undefined;
    });
    expect(second.subjectAltName).toBe(first.subjectAltName);
    expect(second.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(first.publicKey.export({ type: 'spki', format: 'der' }));
    expect((await app.get(HttpsListener).whenListening()).port).toBe(port);
    expect((await curl(['--cacert', ca.path, `https://127.0.0.1:${port}/api/v1/cas`])).status).toBe(200);
  }, 30 * SEC);

  describe('the TLS client-certificate authenticator', () => {
    const now = () => new Date(Math.floor(Date.now() / SEC) * SEC - SEC);
    const whoami = async (leaf?: { certPath: string; keyPath: string }) =>
      (await curl(['--cacert', ca.path, ...(leaf ? ['--cert', leaf.certPath, '--key', leaf.keyPath] : []), `https://127.0.0.1:${port}/api/test/whoami`]));
    const client = (c: TestCa, extra: Partial<Parameters<typeof issue>[1]> = {}) =>
      issue(c, {
        subject: [{ type: 'CN', value: 'www.example.com' }, { type: 'O', value: 'Example' }],
        sans: [
          { type: 'dns', value: 'www.example.com' },
          { type: 'ip', value: '192.0.2.7' },
          { type: 'email', value: 'ops@example.com' },
        ],
        notBefore: now(),
        notAfter: new Date(now().getTime() + DAY),
        eku: OID.clientAuth,
        ...extra,
      });

    it('no certificate: not this method (undefined)', async () => {
      expect(await whoami()).toMatchObject({ status: 200, body: '{"identity":null}' });
    });

    it('ok/a certificate of this CA, valid and not revoked: its SANs and subject, principal <ca>/<serial>', async () => {
      const leaf = await client(ca);
      ocsp.known.add(leaf.serial);
      const r = await whoami(leaf);
      expect(r.status).toBe(200);
      const notAfter = new X509Certificate(leaf.pem).validTo;
      expect(JSON.parse(r.body).identity).toEqual({
        method: 'tls-client-certificate',
        principal: `${fake.name}/${leaf.serial}`,
        names: [
          { type: 'dns', value: 'www.example.com' },
          { type: 'ip', value: '192.0.2.7' },
          { type: 'email', value: 'ops@example.com' },
        ],
        groups: [],
        subject: [
          { type: 'CN', value: 'www.example.com' },
          { type: 'O', value: 'Example' },
        ],
        evidence: { issuer: fake.name, serial: leaf.serial, notAfter: new Date(notAfter).toISOString(), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
    });

    it('ok/a serverAuth certificate renews too (AD CS renew with the existing certificate)', async () => {
      const leaf = await client(ca, { eku: OID.serverAuth });
      ocsp.known.add(leaf.serial);
      expect((await whoami(leaf)).status).toBe(200);
    });

    it('fail/expired: 401 with the reason', async () => {
      const leaf = await client(ca, { notBefore: new Date(now().getTime() - 2 * DAY), notAfter: new Date(now().getTime() - DAY) });
      ocsp.known.add(leaf.serial);
      const r = await whoami(leaf);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/^client certificate refused: expired at /) });
    });

    it('fail/not yet valid: 401', async () => {
      const leaf = await client(ca, { notBefore: new Date(now().getTime() + DAY), notAfter: new Date(now().getTime() + 2 * DAY) });
      ocsp.known.add(leaf.serial);
      expect(JSON.parse((await whoami(leaf)).body).message).toMatch(/not valid before/);
    });

    it('fail/revoked: 401', async () => {
      const leaf = await client(ca);
      ocsp.known.add(leaf.serial);
      ocsp.revoked.add(leaf.serial);
      const r = await whoami(leaf);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).message).toMatch(/^client certificate refused: revoked at /);
    });

    it('fail/unknown to the CA: 401', async () => {
      const leaf = await client(ca);
      const r = await whoami(leaf);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).message).toBe(`client certificate refused: CA "${fake.name}" does not know serial ${leaf.serial}`);
    });

    it('fail/issued by a foreign CA: 401', async () => {
      const foreign = await makeCa('Foreign CA');
      const leaf = await client(foreign);
      const r = await whoami(leaf);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHORIZED', message: 'client certificate refused: not issued by a CA of this Signet' });
    });

    it('fail/self-signed: 401', async () => {
      const key = scratch.unique('self.key');
      const cert = scratch.unique('self.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=www.example.com', '-days', '1', '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'subjectAltName=DNS:www.example.com'], { stdio: 'ignore' });
      const r = await whoami({ certPath: cert, keyPath: key });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).message).toBe('client certificate refused: not issued by a CA of this Signet');
    });

    it('fail closed/the CA does not answer about revocation: 503, never a pass', async () => {
      const leaf = await client(ca);
      ocsp.known.add(leaf.serial);
      ocsp.down = true;
      try {
        const r = await whoami(leaf);
        expect(r.status).toBe(503);
        expect(JSON.parse(r.body)).toMatchObject({ code: 'CA_UNAVAILABLE', message: expect.stringContaining("cannot check the client certificate's revocation status") });
      } finally {
        ocsp.down = false;
      }
    });
  });
});

describe('intermediary HTTPS from files (SIGNET_TLS_MODE=files)', () => {
  let nc: NatsConnection;
  let app: NestExpressApplication;
  let port: number;
  let tlsCa: TestCa;
  const files = { cert: '', key: '' };

  /** A server certificate for localhost from the test CA, written where SIGNET_TLS_CERT_FILE / KEY_FILE point (renamed into place, as certbot and secret mounts do). */
  async function install(leaf: Leaf): Promise<void> {
    copyFileSync(leaf.keyPath, `${files.key}.new`);
    renameSync(`${files.key}.new`, files.key);
    copyFileSync(leaf.certPath, `${files.cert}.new`);
    renameSync(`${files.cert}.new`, files.cert);
  }
  const serverLeaf = () => {
    const now = new Date(Math.floor(Date.now() / SEC) * SEC - SEC);
    return issue(tlsCa, { subject: [{ type: 'CN', value: 'localhost' }], sans: [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }], notBefore: now, notAfter: new Date(now.getTime() + DAY), eku: OID.serverAuth });
  };

  beforeAll(async () => {
    tlsCa = await makeCa('Files TLS CA');
    files.cert = scratch.unique('tls.pem');
    files.key = scratch.unique('tls.key');
    const first = await serverLeaf();
    await install(first);
    nc = await connect({ servers: NATS_URL });
    const config = loadConfig({
      SIGNET_NATS_URL: NATS_URL,
      SIGNET_FRONT_DOOR_KEY: FRONT_DOOR.privateKeyPem,
      SIGNET_HTTP_PORT: '0',
      SIGNET_HTTPS_PORT: '0',
      SIGNET_DISCOVERY_WAIT_MS: '200',
      SIGNET_TLS_CERT_FILE: files.cert,
      SIGNET_TLS_KEY_FILE: files.key,
      SIGNET_TLS_FILES_POLL_MS: '100',
    });
    app = await createApp(config, nc, { logger: new CapturingLogger() });
    await app.listen(0, '127.0.0.1');
    port = (await app.get(HttpsListener).whenListening()).port;
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
  });

  it('serves a renewed certificate written over the files, without a restart; a pair that does not match is not taken', async () => {
    const first = await servedCertificate(port);
    // Half-way through a rotation: a new certificate beside the old key. Not served; the old pair keeps serving.
    const second = await serverLeaf();
    copyFileSync(second.certPath, files.cert);
    await new Promise((r) => setTimeout(r, 500));
    expect((await servedCertificate(port)).serialNumber).toBe(first.serialNumber);
    expect((app.get(TlsCertificates).current())!.serial).toBe(first.serialNumber.toLowerCase());
    // The key arrives: the new pair is served on the same listener.
    await install(second);
    const served = await waitFor('the new certificate served', async () => {
      const c = await servedCertificate(port);
      return c.serialNumber !== first.serialNumber ? c : undefined;
    });
    expect(served.serialNumber.toLowerCase()).toBe(second.serial.toLowerCase());
    expect((await app.get(HttpsListener).whenListening()).port).toBe(port);
    expect((await curl(['--cacert', tlsCa.path, `https://localhost:${port}/healthz`])).status).toBe(200);
  }, 30 * SEC);
});
