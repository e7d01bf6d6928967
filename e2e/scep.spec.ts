import { fuzzCases, fuzzKeys, fuzzSeed, Prng } from '@signet/testing';
import { buildScepRequest, openScepEnvelope, readScepRequest, ScepMessageType, splitCertificate } from '@signet/x509';
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { officerDecides, signetCli } from './support/cli';
import { fuzzClient, runFuzz } from './support/protocol-fuzz';
import { derTlv, scepFuzzCases } from './support/scep';
import { waitFor } from './support/processes';
import { Stack } from './support/stack';

// SCEP (RFC 8894, ADR 0040) with all five services, real NATS and
// PostgreSQL, and Debian's SCEP clients unmodified: micromdm's scepclient,
// strongSwan's pki and certmonger's scep-submit helper. Each enrolls with an
// enrollment secret as its challengePassword; the certificates pass two
// independent verifiers; a spent secret is refused; a request that pends
// is fetched by polling after an officer approves it; bad messages leave
// nothing in process. micromdm's scepclient, which can send only single DES,
// is refused by default and enrolls once the intermediary is restarted with
// SIGNET_SCEP_ALLOW_SINGLE_DES=true (the last block).
const stack = new Stack();
const dir = mkdtempSync(join(tmpdir(), 'signet-scep-e2e-'));
let officer: string;
let caPem: string;
let url: string;
/**
 * The intermediary's SCEP settings: renewals go to WebServer (RenewalReq's
 * identity names no template), and the RA key and pending transactions live
 * in the `scep` schema of the stack's database, encrypted (ADR 0040), so a
 * restart keeps them.
 */
const scepEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  SIGNET_SCEP_TEMPLATE: 'WebServer',
  SIGNET_SCEP_DATABASE_URL: stack.databaseUrl,
  SIGNET_SCEP_STATE_PASSPHRASE: 'scep state passphrase of the e2e stack',
  ...extra,
});

function sh(cmd: string, args: string[], opts: { input?: string; timeout?: number; cwd?: string } = {}): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? dir, timeout: opts.timeout ?? 60_000, input: opts.input });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** An enrollment secret an officer hands out (ADR 0032). */
async function secret(names: string[], template = 'WebServer'): Promise<string> {
  const r = await signetCli(stack, ['enrollment-secret', 'create', ...names.flatMap((n) => ['--name', n]), '--template', template, '--ttl', '1d'], officer);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

/** Both verifiers accept `certPath` under the CA, strictly. */
function verified(certPath: string): void {
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, caPem);
  const pem = sh('openssl', ['x509', '-in', certPath, '-inform', certPath.endsWith('.der') ? 'DER' : 'PEM', '-out', `${certPath}.pem`]);
  expect(pem.code).toBe(0);
  const o = sh('openssl', ['verify', '-x509_strict', '-CAfile', ca, `${certPath}.pem`]);
  expect(o).toEqual({ code: 0, out: `${certPath}.pem: OK\n` });
  const g = sh('certtool', ['--verify', '--load-ca-certificate', ca, '--infile', `${certPath}.pem`]);
  expect({ code: g.code, ok: g.out.includes('Chain verification output: Verified') }).toEqual({ code: 0, ok: true });
}

function subjectOf(certPath: string): string {
  return sh('openssl', ['x509', '-in', certPath, '-inform', certPath.endsWith('.der') ? 'DER' : 'PEM', '-noout', '-subject', '-ext', 'subjectAltName']).out;
}

async function inProcess(): Promise<number> {
  return (await stack.db.query(`SELECT count(*)::int AS n FROM request WHERE disposition = 'in_process'`)).rows[0].n;
}

async function post(body: Buffer, contentType?: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(`${url}?operation=PKIOperation`, { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  await stack.start(scepEnv());
  await stack.adminReady();
  officer = stack.token('officer-scep', ['officer']).token;
  caPem = (await stack.get(`/api/v1/cas/${stack.ca}/certificate`)).body.certificate;
  url = `${stack.baseUrl}/scep`;
  await waitFor('the SCEP RA certificate', async () => (await fetch(`${url}?operation=GetCACert`)).ok, 60_000);
  // The RA certificate (the first in GetCACert's bundle), for the clients that are told which certificate to encrypt to.
  writeFileSync(join(dir, 'cacert.p7'), Buffer.from(await (await fetch(`${url}?operation=GetCACert`)).arrayBuffer()));
  const certs = sh('openssl', ['pkcs7', '-inform', 'DER', '-in', 'cacert.p7', '-print_certs']).out;
  writeFileSync(join(dir, 'ra.pem'), certs.slice(certs.indexOf('-----BEGIN'), certs.indexOf('-----END CERTIFICATE-----') + 26));
}, 180_000);
afterAll(() => stack.close(), 60_000);

/** DER of a PEM file in the scratch directory. */
const derOf = (file: string): Buffer => Buffer.from(readFileSync(join(dir, file), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');

/**
 * A GetCRL (or GetCert) for an IssuerAndSerialNumber — by default the strongSwan certificate's — signed with that
 * certificate's key and sealed to the RA certificate in `raFile`.
 */
function issuerAndSerialRequest(
  raFile: string,
  transactionId: string,
  cipher: Parameters<typeof buildScepRequest>[0]['cipher'],
  messageType: ScepMessageType = ScepMessageType.GetCRL,
  wanted?: { issuerDer: Buffer; serial: Buffer },
): { key: KeyObject; cert: Buffer; message: Buffer } {
  const key = createPrivateKey(readFileSync(join(dir, 'sw.key')));
  const cert = derOf('sw.pem');
  const parts = wanted ?? splitCertificate(cert);
  const message = buildScepRequest({
    messageType,
    transactionId,
    senderNonce: randomBytes(16),
    signer: { certificate: cert, privateKey: key },
    digest: 'sha256',
    content: derTlv(0x30, Buffer.concat([parts.issuerDer, derTlv(0x02, parts.serial)])),
    recipient: derOf(raFile),
    cipher,
  });
  return { key, cert, message };
}

/** The certificate pki printed: its first PEM block only (pki's status lines and plugin warnings share the output). */
function firstPem(out: string): string {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(out);
  if (!m) throw new Error(`no certificate in pki's output:\n${out}`);
  return m[0];
}

describe('GetCACaps and GetCACert', () => {
  it('GetCACaps lists one capability a line, AES and no DES3 unless legacy clients are enabled; a message parameter is ignored', async () => {
    const res = await fetch(`${url}?operation=GetCACaps&message=anything`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await res.text()).split('\n')).toEqual(['AES', 'POSTPKIOperation', 'Renewal', 'SHA-256', 'SHA-384', 'SHA-512', 'SCEPStandard', '']);
  });

  it('GetCACert is the RA certificate and the CA as a certs-only PKCS#7; the RA is RSA with digitalSignature and keyEncipherment, issued by the CA', async () => {
    for (const path of ['/scep', '/cgi-bin/pkiclient.exe']) {
      const res = await fetch(`${stack.baseUrl}${path}?operation=GetCACert`);
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: 'application/x-x509-ca-ra-cert' });
      writeFileSync(join(dir, 'cacert.p7'), Buffer.from(await res.arrayBuffer()));
    }
    const certs = sh('openssl', ['pkcs7', '-inform', 'DER', '-in', 'cacert.p7', '-print_certs']).out;
    expect(certs.match(/subject=/g)).toHaveLength(2);
    expect(certs.indexOf('subject=CN = scep-ra.localhost')).toBe(0);
    verified(join(dir, 'ra.pem'));
    const text = sh('openssl', ['x509', '-in', 'ra.pem', '-noout', '-text']).out;
    expect(text).toContain('Public Key Algorithm: rsaEncryption');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
  });

  it('an unknown operation, a missing message and a JSON body are 4xx with a typed error', async () => {
    const next = await fetch(`${url}?operation=GetNextCACert`);
    expect({ status: next.status, message: ((await next.json()) as { message: string }).message }).toEqual({
      status: 400,
      message: 'GetNextCACert: this CA has no next CA certificate to announce (GetCACaps does not list GetNextCACert)',
    });
    expect((await fetch(`${url}`)).status).toBe(400);
    expect((await fetch(`${url}?operation=PKIOperation`)).status).toBe(400);
    expect((await fetch(`${url}?operation=PKIOperation&message=%%%`)).status).toBe(400);
    const json = await fetch(`${url}?operation=PKIOperation`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect({ status: json.status, code: ((await json.json()) as { code: string }).code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});

describe('micromdm scepclient', () => {
  let credential: string;
  // scepclient encrypts to every certificate GetCACert returns unless told which one: the RA's, by its SHA-256 fingerprint (as for NDES).
  const raFingerprint = (): string => sh('openssl', ['x509', '-in', 'ra.pem', '-noout', '-fingerprint', '-sha256']).out.split('=')[1].replace(/:/g, '').trim().toLowerCase();

  // Debian's scepclient (micromdm 2.1.0) never sets a content cipher, so its
  // library encrypts with single DES-CBC whatever GetCACaps says: refused
  // by design, before the challenge is looked at, so the secret stays unspent.
  it('speaks GetCACert, GetCACaps and PKIOperation, and gets a verified CertRep FAILURE badAlg for its single-DES envelope; the secret stays unspent', async () => {
    credential = await secret(['device1.example.com']);
    const before = await stack.count('request');
    const r = sh('scepclient', ['-server-url', url, '-private-key', 'mdm.key', '-certificate', 'mdm.pem', '-challenge', credential, '-cn', 'device1.example.com', '-ca-fingerprint', raFingerprint()], { timeout: 120_000 });
    expect(r.code).toBe(1);
    // It checked the CertRep's signature with the RA certificate and read its failInfo.
    expect(r.out).toContain('PKCSReq (19) request failed, failInfo: badAlg (0)');
    await waitFor('the refusal in the log', async () => stack.service('intermediary').log().includes('content encryption single DES is not accepted') || undefined, 10_000);
    expect(existsSync(join(dir, 'mdm.pem'))).toBe(false);
    expect(await stack.count('request')).toBe(before);
    expect(await inProcess()).toBe(0);
    const list = await signetCli(stack, ['enrollment-secret', 'list', '--json'], officer);
    expect(list.json.secrets.find((x: { id: string }) => x.id === credential.split(':')[0]).state).toBe('active');
  });
});

describe('strongSwan pki', () => {
  let used: string;

  it('--scepca fetches the CA and RA; --scep enrolls with the challenge password', async () => {
    const ca = sh('pki', ['--scepca', '--url', url, '--caout', 'sw-ca.der', '--raout', 'sw-ra.der', '--force']);
    expect({ code: ca.code, out: ca.code === 0 ? '' : ca.out }).toEqual({ code: 0, out: '' });
    writeFileSync(join(dir, 'sw.key'), sh('openssl', ['genrsa', '2048']).out);
    const credential = (used = await secret(['gw.example.com']));
    const r = sh('pki', ['--scep', '--url', url, '--in', 'sw.key', '--dn', 'CN=gw.example.com', '--san', 'gw.example.com', '--password', credential, '--cacert-enc', 'sw-ra.der', '--cacert-sig', 'sw-ra.der', '--cacert', 'sw-ca.der', '--outform', 'pem'], { timeout: 120_000 });
    expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
    writeFileSync(join(dir, 'sw.pem'), firstPem(r.out));
    verified(join(dir, 'sw.pem'));
  });

  it('a second use of the one-time challenge is refused: FAILURE badRequest, nothing stored, nothing left in process', async () => {
    writeFileSync(join(dir, 'again.key'), sh('openssl', ['genrsa', '2048']).out);
    const before = await stack.count('request');
    const r = sh('pki', ['--scep', '--url', url, '--in', 'again.key', '--dn', 'CN=gw.example.com', '--san', 'gw.example.com', '--password', used, '--cacert-enc', 'sw-ra.der', '--cacert-sig', 'sw-ra.der', '--cacert', 'sw-ca.der'], { timeout: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('badRequest');
    expect(await stack.count('request')).toBe(before);
    expect(await inProcess()).toBe(0);
  });

  it('RenewalReq signed with the issued certificate gets a new one', () => {
    writeFileSync(join(dir, 'sw2.key'), sh('openssl', ['genrsa', '2048']).out);
    const r = sh('pki', ['--scep', '--url', url, '--in', 'sw2.key', '--dn', 'CN=gw.example.com', '--san', 'gw.example.com', '--cert', 'sw.pem', '--key', 'sw.key', '--cacert-enc', 'sw-ra.der', '--cacert-sig', 'sw-ra.der', '--cacert', 'sw-ca.der', '--outform', 'pem'], { timeout: 120_000 });
    expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
    writeFileSync(join(dir, 'sw2.pem'), firstPem(r.out));
    verified(join(dir, 'sw2.pem'));
    expect(sh('openssl', ['x509', '-in', 'sw2.pem', '-noout', '-serial']).out).not.toBe(sh('openssl', ['x509', '-in', 'sw.pem', '-noout', '-serial']).out);
  });

  /**
   * strongSwan's pki enrolling `CN=<name>` for <name> and an <unproven> name the secret does not prove, polling every
   * second: resolves once the request pends in ca-core, with its id, pki's output so far and its exit.
   */
  async function pollingPki(file: string, name: string, unproven: string, extra: string[] = []): Promise<{ pending: number; out: () => string; done: Promise<number> }> {
    const credential = await secret([name]);
    writeFileSync(join(dir, `${file}.key`), sh('openssl', ['genrsa', '2048']).out);
    const args = ['--scep', '--url', url, '--in', `${file}.key`, '--dn', `CN=${name}`, '--san', name, '--san', unproven, '--password', credential];
    const child = spawn('pki', [...args, '--cacert-enc', 'sw-ra.der', '--cacert-sig', 'sw-ra.der', '--cacert', 'sw-ca.der', ...extra, '--interval', '1', '--maxpolltime', '60'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const pending = await waitFor(
      'the request to pend',
      async () => (await stack.db.query(`SELECT id FROM request WHERE disposition = 'pending' ORDER BY id DESC LIMIT 1`)).rows[0]?.id as number | undefined,
      30_000,
    );
    return { pending, out: () => out, done };
  }

  it('a request for a name the secret does not prove pends; after an officer approves it, the polling client gets its certificate', async () => {
    const poll = await pollingPki('pend', 'vpn.example.com', 'other.example.com', ['--outform', 'pem']);
    await new Promise((r) => setTimeout(r, 2_000)); // at least one CertPoll answered PENDING
    expect(poll.out()).toMatch(/pending/i);
    const approved = await officerDecides(stack, officer, 'resubmit', poll.pending);
    expect({ code: approved.code, disposition: approved.json?.disposition }).toEqual({ code: 0, disposition: 'issued' });
    const code = await poll.done;
    expect({ code, out: code === 0 ? '' : poll.out() }).toEqual({ code: 0, out: '' });
    writeFileSync(join(dir, 'pend.pem'), firstPem(poll.out()));
    verified(join(dir, 'pend.pem'));
    expect(subjectOf(join(dir, 'pend.pem'))).toContain('DNS:other.example.com');
  }, 90_000);

  it('a pending request an officer denies reaches the polling client as FAILURE', async () => {
    const poll = await pollingPki('deny', 'deny.example.com', 'unproven.example.com');
    const denied = await officerDecides(stack, officer, 'deny', poll.pending);
    expect({ code: denied.code, disposition: denied.json?.disposition }).toEqual({ code: 0, disposition: 'denied' });
    expect(await poll.done).not.toBe(0);
    expect(poll.out()).toContain('badRequest');
    expect(await inProcess()).toBe(0);
  }, 90_000);
});

describe('SCEP state across an intermediary restart (ADR 0040)', () => {
  it('a request pends, the intermediary restarts with the same RA, `signet resubmit` approves it, and the client asking again gets its certificate', async () => {
    const credential = await secret(['keep.example.com']);
    writeFileSync(join(dir, 'keep.key'), sh('openssl', ['genrsa', '2048']).out);
    const args = ['--scep', '--url', url, '--in', 'keep.key', '--dn', 'CN=keep.example.com', '--san', 'keep.example.com', '--san', 'unproven-keep.example.com', '--password', credential];
    const pki = (maxPoll: string) =>
      sh('pki', [...args, '--cacert-enc', 'sw-ra.der', '--cacert-sig', 'sw-ra.der', '--cacert', 'sw-ca.der', '--outform', 'pem', '--interval', '1', '--maxpolltime', maxPoll], { timeout: 90_000 });
    // The device gives up polling for now: its request pends.
    const first = pki('2');
    expect(first.code).not.toBe(0);
    expect(first.out).toMatch(/pending/i);
    const pending = (await stack.db.query(`SELECT id FROM request WHERE disposition = 'pending' ORDER BY id DESC LIMIT 1`)).rows[0].id as string;
    const stored = (await stack.db.query(`SELECT request_id, retrieval_secret FROM scep.transactions`)).rows as { request_id: string; retrieval_secret: Buffer }[];
    // Its retrieval secret sealed (AES-256-GCM: IV, tag, ciphertext), not in clear.
    const sealed = stored.find((r) => r.request_id === pending)!.retrieval_secret;
    expect({ sealed: sealed.length > 28, printable: /^[\x20-\x7e]*$/.test(sealed.toString('latin1')) }).toEqual({ sealed: true, printable: false });
    const raBefore = Buffer.from(await (await fetch(`${url}?operation=GetCACert`)).arrayBuffer());
    const requests = await stack.count('request');

    await stack.restart('intermediary', scepEnv());
    // The same RA certificate (so the same key) from the scep schema: the device's copy of it still works.
    expect(Buffer.from(await (await fetch(`${url}?operation=GetCACert`)).arrayBuffer()).equals(raBefore)).toBe(true);
    const approved = await officerDecides(stack, officer, 'resubmit', pending);
    expect({ code: approved.code, disposition: approved.json?.disposition }).toEqual({ code: 0, disposition: 'issued' });

    // strongSwan's transactionID is its key's hash: the resent PKCSReq reaches the stored transaction.
    const second = pki('30');
    expect({ code: second.code, out: second.code === 0 ? '' : second.out }).toEqual({ code: 0, out: '' });
    writeFileSync(join(dir, 'keep.pem'), firstPem(second.out));
    verified(join(dir, 'keep.pem'));
    expect(subjectOf(join(dir, 'keep.pem'))).toContain('DNS:unproven-keep.example.com');
    expect(await stack.count('request')).toBe(requests);
    expect((await stack.db.query(`SELECT count(*)::int AS n FROM scep.transactions WHERE request_id = $1`, [pending])).rows[0].n).toBe(0);
  }, 150_000);

  it('at rest: the RA key is an encrypted PKCS#8 (one row: every start read it back, none enrolled anew)', async () => {
    const ra = (await stack.db.query(`SELECT encrypted_key FROM scep.ra_certificates`)).rows as { encrypted_key: string }[];
    expect(ra).toHaveLength(1);
    expect(ra[0].encrypted_key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  });
});

describe('certmonger', () => {
  it('scep-submit answers GetCACaps and GetCACert', () => {
    const submit = '/usr/lib/certmonger/scep-submit';
    const caps = sh(submit, ['-u', url, '-c']);
    expect(caps.code).toBe(0);
    expect(caps.out).toContain('SCEPStandard');
    const certs = sh(submit, ['-u', url, '-C']);
    expect(certs.code).toBe(0);
    expect(certs.out).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('the certmonger daemon (on a private session bus) enrolls with getcert add-scep-ca / request and the challenge password', async () => {
    const credential = await secret(['cm.example.com']);
    const script = join(dir, 'certmonger.sh');
    writeFileSync(
      script,
      [
        'set -e',
        `getcert add-scep-ca -s -c signet -u '${url}'`,
        `getcert request -s -c signet -k '${join(dir, 'cm.key')}' -f '${join(dir, 'cm.pem')}' -N CN=cm.example.com -D cm.example.com -L '${credential}' -w --wait-timeout 90 || true`,
        'getcert list -s',
      ].join('\n'),
    );
    // Its own state directories, so nothing of this test lands in (or comes from) the machine's /var/lib/certmonger.
    const state = (name: string) => {
      const p = join(dir, 'certmonger', name);
      mkdirSync(p, { recursive: true });
      return p;
    };
    const env = {
      ...process.env,
      HOME: dir,
      CERTMONGER_CONFIG_DIR: state('config'),
      CERTMONGER_REQUESTS_DIR: state('requests'),
      CERTMONGER_CAS_DIR: state('cas'),
      CERTMONGER_LOCAL_CA_DIR: state('local'),
      CERTMONGER_TMPDIR: state('tmp'),
      CERTMONGER_SYSTEM_LOCK_FILE: join(dir, 'certmonger', 'lock'),
    };
    const r = spawnSync('dbus-run-session', ['--', 'certmonger', '-s', '-n', '-c', `sh ${script}`], { encoding: 'utf8', cwd: dir, timeout: 150_000, env });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: out.match(/status: (\S+)/)?.[1], out: existsSync(join(dir, 'cm.pem')) ? '' : out }).toEqual({ status: 'MONITORING', out: '' });
    verified(join(dir, 'cm.pem'));
    expect(subjectOf(join(dir, 'cm.pem'))).toContain('DNS:cm.example.com');
  }, 180_000);
});

describe('bad messages', () => {
  it('what is no SCEP message is 400; one for another RA key or with a bad signature is a FAILURE; nothing is left in process', async () => {
    expect({ running: stack.service('intermediary').running, log: stack.service('intermediary').running ? '' : stack.service('intermediary').log().slice(-3000) }).toEqual({ running: true, log: '' });
    for (const [body, type] of [
      [Buffer.from('not a pki message'), 'application/x-pki-message'],
      [randomBytes(300), 'application/octet-stream'],
      [Buffer.from([0x30, 0x80]), undefined],
    ] as const) {
      const res = await post(body, type);
      expect(res.status).toBe(400);
    }
    // Signed correctly, encrypted to a key that is not the RA's.
    const key = join(dir, 'x.key');
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=x', '-days', '1', '-keyout', key, '-out', join(dir, 'x.pem')]);
    const cert = derOf('x.pem');
    const privateKey = createPrivateKey(readFileSync(key));
    const message = buildScepRequest({
      messageType: ScepMessageType.PKCSReq,
      transactionId: 'bad-envelope',
      senderNonce: randomBytes(16),
      signer: { certificate: cert, privateKey },
      digest: 'sha256',
      content: Buffer.from('not a CSR'),
      recipient: cert,
      cipher: 'aes-128-cbc',
    });
    const res = await post(message, 'application/x-pki-message');
    expect({ status: res.status, type: res.type }).toEqual({ status: 200, type: 'application/x-pki-message' });
    expect(readScepRequest(res.body)).toMatchObject({ messageType: 3, pkiStatus: 2, failInfo: 1, transactionId: 'bad-envelope', signatureValid: true });
    const tampered = Buffer.from(message);
    tampered[tampered.length - 3] ^= 1;
    const bad = await post(tampered);
    expect(readScepRequest(bad.body)).toMatchObject({ pkiStatus: 2, failInfo: 1 });
    expect(await inProcess()).toBe(0);
  });

  it('GetCRL by GET (certmonger sends PKIOperation as ?message=): the CRL, sealed to the requester', async () => {
    const { key, cert, message } = issuerAndSerialRequest('ra.pem', 'get-crl', 'aes-256-cbc');
    const res = await fetch(`${url}?operation=PKIOperation&message=${encodeURIComponent(message.toString('base64'))}`);
    const body = Buffer.from(await res.arrayBuffer());
    expect({ status: res.status, type: res.headers.get('content-type'), error: res.status === 200 ? '' : body.toString() }).toEqual({ status: 200, type: 'application/x-pki-message', error: '' });
    const rep = readScepRequest(body);
    expect(rep).toMatchObject({ messageType: 3, pkiStatus: 0, transactionId: 'get-crl', signatureValid: true });
    const opened = openScepEnvelope(rep.envelope!, { certificate: cert, privateKey: key }, { allowDes3: false });
    expect(opened.cipher).toBe('aes-256-cbc');
    writeFileSync(join(dir, 'crl.p7'), opened.content);
    expect(sh('openssl', ['pkcs7', '-inform', 'DER', '-in', 'crl.p7', '-print_certs']).out).toContain('Certificate Revocation List');
  });

  it('GetCert (RFC 8894 3.3.4): a certificate of this CA by issuer and serial, in a certs-only PKCS#7 sealed to the requester', async () => {
    const { key, cert, message } = issuerAndSerialRequest('ra.pem', 'get-cert', 'aes-128-cbc', ScepMessageType.GetCert, splitCertificate(derOf('sw2.pem')));
    const res = await post(message, 'application/x-pki-message');
    expect({ status: res.status, type: res.type }).toEqual({ status: 200, type: 'application/x-pki-message' });
    const rep = readScepRequest(res.body);
    expect(rep).toMatchObject({ messageType: 3, pkiStatus: 0, transactionId: 'get-cert', signatureValid: true });
    writeFileSync(join(dir, 'getcert.p7'), openScepEnvelope(rep.envelope!, { certificate: cert, privateKey: key }, { allowDes3: false }).content);
    const printed = sh('openssl', ['pkcs7', '-inform', 'DER', '-in', 'getcert.p7', '-print_certs']).out;
    expect({ certificates: printed.match(/BEGIN CERTIFICATE/g)?.length, same: Buffer.from(firstPem(printed).replace(/-----[^-]+-----|\s/g, ''), 'base64').equals(derOf('sw2.pem')) }).toEqual({ certificates: 1, same: true });
  });

  it('GetCert for a serial this CA never issued, or for another issuer, is FAILURE badCertId; nothing is left in process', async () => {
    const sw = splitCertificate(derOf('sw.pem'));
    for (const [id, wanted] of [
      ['get-cert-unknown', { issuerDer: sw.issuerDer, serial: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') }],
      ['get-cert-issuer', { issuerDer: splitCertificate(derOf('x.pem')).subjectDer, serial: sw.serial }],
    ] as const) {
      const res = await post(issuerAndSerialRequest('ra.pem', id, 'aes-128-cbc', ScepMessageType.GetCert, wanted).message, 'application/x-pki-message');
      expect(res.status).toBe(200);
      expect(readScepRequest(res.body)).toMatchObject({ messageType: 3, pkiStatus: 2, failInfo: 4, transactionId: id, signatureValid: true });
    }
    expect(await inProcess()).toBe(0);
  });
});

/**
 * Acceptance 4 of issue 14: malformed envelopes, CSRs and headers get a
 * clean SCEP answer — a CertRep FAILURE the client can verify for a
 * pkiMessage the RA can read, else a 4xx with a typed JSON error; never a
 * 5xx, a PENDING or a certificate — and leave nothing in process.
 * Self-contained (its own signer), so `npm run fuzz` runs it alone with
 * `-t fuzz`; SIGNET_FUZZ_CASES scales it.
 */
describe('SCEP fuzz over HTTP', () => {
  const CASES = fuzzCases(3000);
  const prng = new Prng(fuzzSeed(0x5ce9));
  const keys = fuzzKeys(prng);

  it(`${CASES} fuzzed requests (envelopes, contents, every messageType, mutated bytes, HTTP): each a clean answer, nothing left in process (seed ${prng.seed})`, async () => {
    const key = join(dir, 'fuzz.key');
    expect(sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=scep-fuzz', '-days', '1', '-keyout', key, '-out', join(dir, 'fuzz.pem')]).code).toBe(0);
    const signer = { certificate: derOf('fuzz.pem'), privateKey: createPrivateKey(readFileSync(key)) };
    const ra = derOf('ra.pem');
    const caSubject = splitCertificate(Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).subjectDer;
    const next = scepFuzzCases(prng, keys, signer, ra, caSubject);
    const client = fuzzClient(stack.baseUrl);
    const requests = await stack.count('request');
    const before = Date.now();
    try {
      const { problems, statuses } = await runFuzz(
        CASES,
        8,
        next,
        async (c) => {
          const a = await client.send(c);
          const type = String(a.headers['content-type'] ?? '');
          const fail = (why: string) => ({ status: a.status, problem: `${c.kind}: ${why}` });
          if (a.status === 0 || a.status >= 500) return fail(`status ${a.status}: ${a.body.toString().slice(0, 200)}`);
          if (a.status !== 200) {
            const code = /json/.test(type) ? (JSON.parse(a.body.toString()) as { code?: unknown }).code : undefined;
            return a.status >= 400 && typeof code === 'string' ? { status: a.status } : fail(`${a.status} as ${type}: ${a.body.toString().slice(0, 200)}`);
          }
          if (type !== 'application/x-pki-message') return fail(`200 as ${type}`);
          const rep = readScepRequest(a.body);
          if (rep.messageType !== 3 || !rep.signatureValid) return fail(`not a verified CertRep (messageType ${rep.messageType})`);
          if (c.transactionId !== undefined && rep.transactionId !== c.transactionId) return fail(`CertRep for transaction ${rep.transactionId}`);
          const ok = rep.pkiStatus === 2 || (rep.pkiStatus === 0 && c.successAllowed);
          return ok ? { status: a.status } : fail(`pkiStatus ${rep.pkiStatus}`);
        },
      );
      expect(problems).toEqual([]);
      expect({ certReps: (statuses[200] ?? 0) > CASES / 4, refusals: (statuses[400] ?? 0) > 0 }).toEqual({ certReps: true, refusals: true });
    } finally {
      client.close();
    }
    expect(stack.service('intermediary').running).toBe(true);
    expect(await stack.count('request')).toBe(requests);
    expect(await inProcess()).toBe(0);
    console.log(`SCEP fuzz: ${CASES} requests in ${Date.now() - before} ms`);
    // npm run fuzz: SIGNET_FUZZ_CASES up to 100,000 and more; about 100 a second on this kind of machine, with room.
  }, Math.max(300_000, CASES * 50));
});

// SIGNET_SCEP_ALLOW_SINGLE_DES (ADR 0040): the operator's opt-in for clients
// that can send nothing but single DES. The intermediary restarts with it
// (keeping its RA key and certificate, from the scep schema); GetCACaps still offers no DES.
describe('micromdm scepclient with SIGNET_SCEP_ALLOW_SINGLE_DES=true', () => {
  let credential: string;
  const raFingerprint = (): string => sh('openssl', ['x509', '-in', 'ra-des.pem', '-noout', '-fingerprint', '-sha256']).out.split('=')[1].replace(/:/g, '').trim().toLowerCase();
  const args = (file: string): string[] => ['-server-url', url, '-private-key', `${file}.key`, '-certificate', `${file}.pem`, '-cn', 'device2@example.com', '-country', '', '-ca-fingerprint', raFingerprint()];
  // scepclient keeps its self-signed signer certificate and CSR as self.pem and csr.pem in its working directory, and reuses them: one directory per device.
  const device = (name: string): string => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };

  beforeAll(async () => {
    await stack.restart('intermediary', scepEnv({ SIGNET_SCEP_ALLOW_SINGLE_DES: 'true' }));
    await waitFor('the SCEP RA certificate', async () => (await fetch(`${url}?operation=GetCACert`)).ok, 60_000);
    writeFileSync(join(dir, 'cacert-des.p7'), Buffer.from(await (await fetch(`${url}?operation=GetCACert`)).arrayBuffer()));
    const certs = sh('openssl', ['pkcs7', '-inform', 'DER', '-in', 'cacert-des.p7', '-print_certs']).out;
    writeFileSync(join(dir, 'ra-des.pem'), certs.slice(certs.indexOf('-----BEGIN'), certs.indexOf('-----END CERTIFICATE-----') + 26));
  }, 120_000);

  it('the start log warns of single DES; GetCACaps does not advertise it', async () => {
    expect(stack.service('intermediary').log()).toContain('SIGNET_SCEP_ALLOW_SINGLE_DES=true: single-DES (56-bit) request envelopes are accepted');
    expect((await (await fetch(`${url}?operation=GetCACaps`)).text()).split('\n')).toEqual(['AES', 'POSTPKIOperation', 'Renewal', 'SHA-256', 'SHA-384', 'SHA-512', 'SCEPStandard', '']);
  });

  it('scepclient enrolls with the challenge password: it decrypts the AES-sealed CertRep to its single-DES request; the certificate verifies; the secret is spent', async () => {
    // scepclient puts no SAN in its CSR: ClientAuth takes the certificate's names from the secret (an email address). -country '' leaves out C, which ClientAuth's subject does not allow.
    credential = await secret(['device2@example.com'], 'ClientAuth');
    const r = sh('scepclient', [...args(join(device('des1'), 'mdm2')), '-challenge', credential], { timeout: 120_000, cwd: device('des1') });
    // The intermediary's log, for a failure: read once the PKIOperation is in it (the client ran synchronously).
    const log = async () => (await waitFor('the PKIOperation in the log', async () => stack.service('intermediary').log().match(/POST \/scep.*|SCEP transaction .*/g)?.join('\n'), 10_000).catch(() => '')) ?? '';
    expect({ code: r.code, out: r.code === 0 ? '' : `${r.out}\n${await log()}` }).toEqual({ code: 0, out: '' });
    verified(join(dir, 'des1', 'mdm2.pem'));
    expect(subjectOf(join(dir, 'des1', 'mdm2.pem'))).toMatch(/^subject=CN = device2@example.com\nX509v3 Subject Alternative Name: ?\n\s+email:device2@example.com\n$/);
    const list = await signetCli(stack, ['enrollment-secret', 'list', '--json'], officer);
    expect(list.json.secrets.find((x: { id: string }) => x.id === credential.split(':')[0]).state).toBe('used');
  });

  it('a single-DES request (GetCRL) is answered sealed with AES-128-CBC', async () => {
    const { key, cert, message } = issuerAndSerialRequest('ra-des.pem', 'get-crl-des', 'des-cbc');
    const res = await post(message, 'application/x-pki-message');
    expect({ status: res.status, type: res.type }).toEqual({ status: 200, type: 'application/x-pki-message' });
    const rep = readScepRequest(res.body);
    expect(rep).toMatchObject({ messageType: 3, pkiStatus: 0, transactionId: 'get-crl-des', signatureValid: true });
    expect(openScepEnvelope(rep.envelope!, { certificate: cert, privateKey: key }, { allowDes3: false }).cipher).toBe('aes-128-cbc');
  });

  it('a second use of the challenge password is refused: FAILURE badRequest, nothing stored, nothing left in process', async () => {
    const before = await stack.count('request');
    const r = sh('scepclient', [...args(join(device('des2'), 'mdm3')), '-challenge', credential], { timeout: 120_000, cwd: device('des2') });
    expect(r.code).toBe(1);
    expect(r.out).toContain('PKCSReq (19) request failed, failInfo: badRequest (2)');
    expect(existsSync(join(dir, 'des2', 'mdm3.pem'))).toBe(false);
    expect(await stack.count('request')).toBe(before);
    expect(await inProcess()).toBe(0);
  });
});
