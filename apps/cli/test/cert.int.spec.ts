import type { Name } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import {
  OID,
  createSelfSignedCa,
  encodeAuthorityKeyIdentifier,
  subjectKeyIdentifier,
  createSigner,
  decodeRequestText,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  generateKeyPair,
  issueCertificate,
  parseCsr,
  prepareCertificate,
  randomSerialHex,
  toPem,
} from '@signet/x509';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/cli';
import { systemIo } from '../src/io';
import { type Io } from '../src/output';
import { FakeServer, type Reply, type Seen } from './fake-server';

/*
 * `signet cert` against an HTTP stand-in for the intermediary that signs
 * what it is sent with a real (test) CA, so the files the CLI writes can be
 * checked with openssl. The whole stack does the same in e2e/dev-cert.spec.ts.
 */
const scratch = new ScratchDir('signet-cli-cert-');
const root = scratch.dir;
let dirs = 0;
const newDir = () => join(root, `out-${++dirs}`);

const DAY = 86_400_000;
const caKey = generateKeyPair('ecdsa-p256');
const caSpki = caKey.publicKey.export({ type: 'spki', format: 'der' });
const caSubject: Name = [{ type: 'CN', value: 'CLI Test CA' }];
let caDer: Buffer;
let caPem: string;

/** What ca-core would issue for the request: the CSR's key and names, 30 days, serverAuth. */
async function issueFor(csrPem: string, spkiOverride?: Buffer): Promise<string> {
  const csr = await parseCsr(decodeRequestText(csrPem));
  const now = new Date(Math.floor(Date.now() / DAY) * DAY - DAY);
  const token = prepareCertificate(
    {
      serialHex: randomSerialHex(),
      subject: csr.subject,
      notBefore: now,
      notAfter: new Date(now.getTime() + 30 * DAY),
      spki: spkiOverride ?? csr.spki,
      extensions: [
        { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
        { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]) },
        { oid: OID.subjectAltName, critical: csr.subject.length === 0, value: encodeSubjectAltName(csr.subjectAltNames) },
        { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(caSpki)) },
      ],
    },
    { certificateDer: caDer, signer: createSigner(caKey.privateKey) },
  );
  return toPem(await issueCertificate(token), 'CERTIFICATE');
}

const SECRET = `sgr_${'c'.repeat(43)}`;
/** A submit's answer carries the retrieval secret. */
const submitted = (requestId: number, disposition: string, extra: Record<string, unknown> = {}) => ({ ...answer(requestId, disposition, extra), retrievalSecret: SECRET });
const answer = (requestId: number, disposition: string, extra: Record<string, unknown> = {}) => ({
  ca: 'dev-ca',
  requestId,
  disposition,
  dispositionCode: { issued: 3, pending: 5, denied: 2, failed: 1 }[disposition],
  message: `fake ${disposition}`,
  ...extra,
});

function sh(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('signet cert', () => {
  const enroll = new FakeServer();
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    caDer = await createSelfSignedCa({ subject: caSubject, ...caKey, notBefore: new Date(Date.now() - 2 * DAY), notAfter: new Date(Date.now() + 365 * DAY) });
    caPem = toPem(caDer, 'CERTIFICATE');
    await enroll.start();
  });
  afterAll(async () => {
    await enroll.stop();
    scratch.remove();
  });
  beforeEach(() => {
    enroll.seen.length = 0;
    enroll.routes.clear();
    out = [];
    err = [];
  });

  /**
   * One run of the CLI. `signFor` makes the certificate a POST will answer
   * with once the CLI has sent its CSR: the fetch it is given signs the CSR
   * on its way out, since FakeServer's handlers are synchronous.
   */
  function cli(argv: string[], env: NodeJS.ProcessEnv = {}, signFor?: (csr: string) => Promise<void>): Promise<number> {
    const io: Io = {
      ...systemIo(),
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      sleep: async () => undefined,
      env: { HOME: root, SIGNET_URL: enroll.url, ...env },
    };
    const fetchSigning: typeof fetch = async (input, init) => {
      if (signFor && init?.method === 'POST' && typeof init.body === 'string') await signFor(JSON.parse(init.body).csr);
      return fetch(input, init);
    };
    return run(argv, io, fetchSigning);
  }

  /** A POST answered with `post(seen, certificate for the CSR sent)`. */
  function cliIssuing(argv: string[], post: (s: Seen, cert: string) => Reply, env: NodeJS.ProcessEnv = {}): Promise<number> {
    const certs = new Map<string, string>();
    enroll.on('POST /api/v1/requests', (s) => post(s, certs.get(s.body.csr) ?? ''));
    return cli(argv, env, async (csr) => void certs.set(csr, await issueFor(csr)));
  }

  it('ok/localhost 127.0.0.1 ::1: key made here, Development asked for, key, certificate and chain written, and openssl agrees', async () => {
    const dir = newDir();
    const code = await cliIssuing(['cert', 'localhost', '127.0.0.1', '::1', '--out', dir], (_s, cert) => ({
      status: 201,
      body: submitted(11, 'issued', { certificate: cert, chain: [caPem], serial: '0a0b' }),
    }));
    expect([code, err.join('')]).toEqual([0, '']);

    // What went over the wire: a CSR and the template, no CA (the intermediary's default), never the key.
    const sent = enroll.seen[0];
    expect(Object.keys(sent.body).sort()).toEqual(['attributes', 'csr']);
    expect(sent.body.attributes).toEqual({ CertificateTemplate: 'Development' });
    expect(JSON.stringify(sent)).not.toMatch(/PRIVATE KEY/);
    const csr = await parseCsr(decodeRequestText(sent.body.csr));
    expect(csr.subject).toEqual([{ type: 'CN', value: 'localhost' }]);
    expect(csr.subjectAltNames).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]);
    expect(csr.publicKey).toMatchObject({ algorithm: 'ec', curve: 'P-256' });

    // The files, the key private to its owner and the one the CSR was signed with.
    const key = readFileSync(join(dir, 'localhost.key'), 'utf8');
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(join(dir, 'localhost.key')).mode & 0o777).toBe(0o600);
    expect(createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(csr.spki)).toBe(true);
    const crt = readFileSync(join(dir, 'localhost.crt'), 'utf8');
    expect(readFileSync(join(dir, 'chain.pem'), 'utf8')).toBe(caPem);
    expect(readFileSync(join(dir, 'fullchain.pem'), 'utf8')).toBe(crt + caPem);
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(caPem);
    const keyPub = sh('openssl', ['pkey', '-in', join(dir, 'localhost.key'), '-pubout']);
    const crtPub = sh('openssl', ['x509', '-in', join(dir, 'localhost.crt'), '-noout', '-pubkey']);
    expect(keyPub.status).toBe(0);
    expect(crtPub.out).toBe(keyPub.out);
    const verify = sh('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'localhost', '-CAfile', join(dir, 'ca.crt'), join(dir, 'localhost.crt')]);
    expect([verify.status, verify.out]).toEqual([0, expect.stringContaining(': OK')]);

    // What it says: where everything is and how to trust the CA; never the key.
    const said = out.join('');
    expect(said).toContain(`Key:            ${join(dir, 'localhost.key')} (ECDSA P-256, made here, mode 0600)`);
    expect(said).toContain(`sudo cp ${join(dir, 'ca.crt')} /usr/local/share/ca-certificates/signet-dev-ca.crt && sudo update-ca-certificates`);
    expect(said).toContain(`curl --cacert ${join(dir, 'ca.crt')} https://localhost:8443/`);
    expect(said + err.join('')).not.toContain(key.split('\n')[1]);
    // Issued at once: the retrieval secret is of no further use to it, so it is neither kept nor shown.
    expect(existsSync(join(dir, 'localhost.secret'))).toBe(false);
    expect(said + err.join('')).not.toContain(SECRET);
  });

  it('ok/--template, --ca, --key-type and --json; a public name asks for WebServer by default', async () => {
    const dir = newDir();
    const code = await cliIssuing(['cert', 'www.example.com', '--out', dir, '--ca', 'issuing-1', '--key-type', 'rsa-2048', '--json'], (_s, cert) => ({
      status: 201,
      body: submitted(12, 'issued', { ca: 'issuing-1', certificate: cert, chain: [caPem], serial: '0c' }),
    }));
    expect(code).toBe(0);
    expect(enroll.seen[0].body).toMatchObject({ ca: 'issuing-1', attributes: { CertificateTemplate: 'WebServer' } });
    expect((await parseCsr(decodeRequestText(enroll.seen[0].body.csr))).publicKey).toMatchObject({ algorithm: 'rsa', bits: 2048 });
    expect(JSON.parse(out.join(''))).toEqual({
      ca: 'issuing-1',
      requestId: 12,
      disposition: 'issued',
      template: 'WebServer',
      names: [{ type: 'dns', value: 'www.example.com' }],
      serial: '0c',
      notAfter: expect.any(String),
      files: {
        key: join(dir, 'www.example.com.key'),
        certificate: join(dir, 'www.example.com.crt'),
        chain: join(dir, 'chain.pem'),
        fullchain: join(dir, 'fullchain.pem'),
        caCertificate: join(dir, 'ca.crt'),
      },
    });

    await cliIssuing(['cert', 'localhost', '--out', newDir(), '--template', 'MyDev'], (_s, cert) => ({ status: 201, body: answer(13, 'issued', { certificate: cert, chain: [caPem] }) }));
    expect(enroll.seen[1].body.attributes).toEqual({ CertificateTemplate: 'MyDev' });
  });

  it('ok/pending: says so, keeps the key and the retrieval secret at once, polls the request at its CA with the secret until issued, then drops the secret', async () => {
    const dir = newDir();
    let polls = 0;
    let cert = '';
    let secretOnDisk: [string, number] | undefined;
    enroll.on('GET /api/v1/requests/21', () => {
      // While it polls, the secret is on disk too (a Ctrl-C now must not lose it).
      secretOnDisk ??= [readFileSync(join(dir, 'localhost.secret'), 'utf8'), statSync(join(dir, 'localhost.secret')).mode & 0o777];
      return ++polls < 3 ? { body: answer(21, 'pending') } : { body: answer(21, 'issued', { certificate: cert, chain: [caPem] }) };
    });
    const code = await cliIssuing(['cert', 'localhost', '--out', dir], (_s, c) => {
      cert = c;
      return { status: 202, body: submitted(21, 'pending', { message: 'Taken under submission' }) };
    });
    expect(code).toBe(0);
    expect(polls).toBe(3);
    expect(enroll.seen.slice(1).map((s) => `${s.method} ${s.path}?${s.query} ${s.headers['signet-retrieval-secret']}`)).toEqual(Array(3).fill(`GET /api/v1/requests/21?ca=dev-ca ${SECRET}`));
    expect(secretOnDisk).toEqual([`${SECRET}\n`, 0o600]);
    expect(existsSync(join(dir, 'localhost.secret'))).toBe(false);
    expect(out.join('') + err.join('')).not.toContain(SECRET);
    expect(err.join('')).toContain(`signet: request 21 at CA dev-ca is pending (Taken under submission); key written to ${join(dir, 'localhost.key')}`);
    expect(err.join('')).toContain('waiting up to 300 s for a certificate manager to approve it');
    expect(sh('openssl', ['x509', '-in', join(dir, 'localhost.crt'), '-noout', '-pubkey']).out).toBe(sh('openssl', ['pkey', '-in', join(dir, 'localhost.key'), '-pubout']).out);
  });

  it('ok/still pending after --wait: exit 4, the key and the retrieval secret kept (0600), how to fetch the certificate later', async () => {
    const dir = newDir();
    enroll.on('GET /api/v1/requests/22', { body: answer(22, 'pending') });
    const code = await cliIssuing(['cert', 'localhost', '--out', dir, '--wait', '10'], () => ({ status: 202, body: submitted(22, 'pending') }));
    expect(code).toBe(4);
    expect(enroll.seen.filter((s) => s.method === 'GET')).toHaveLength(2);
    expect(statSync(join(dir, 'localhost.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'localhost.secret'), 'utf8')).toBe(`${SECRET}\n`);
    expect(statSync(join(dir, 'localhost.secret')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'localhost.crt'))).toBe(false);
    expect(out.join('')).toContain(`Once approved:    signet retrieve 22 --ca dev-ca --secret-file ${join(dir, 'localhost.secret')} --out ${join(dir, 'localhost.crt')}`);
    expect(out.join('')).not.toContain(SECRET);
  });

  it('fail/denied: exit 3 with the rule, nothing written, a key from an earlier run left alone', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'localhost.key'), 'earlier key\n', { mode: 0o600 });
    enroll.on('POST /api/v1/requests', {
      status: 400,
      body: { code: 'REQUEST_DENIED', ...answer(23, 'denied', { message: 'DNS name localhost is a single-label name', decidedBy: { rule: 'san.dns', field: 'subjectAltName.dns', value: 'localhost' } }) },
    });
    expect(await cli(['cert', 'localhost', '--out', dir, '--template', 'WebServer'])).toBe(3);
    expect(out.join('')).toContain('Decided by:  san.dns / subjectAltName.dns / localhost');
    expect(readFileSync(join(dir, 'localhost.key'), 'utf8')).toBe('earlier key\n');
    expect(existsSync(join(dir, 'localhost.crt'))).toBe(false);
  });

  it('fail/pending, then denied: the key and the secret written for it go again', async () => {
    const dir = newDir();
    enroll.on('POST /api/v1/requests', { status: 202, body: submitted(24, 'pending') });
    enroll.on('GET /api/v1/requests/24', { body: answer(24, 'denied', { message: 'denied by an officer' }) });
    expect(await cli(['cert', 'localhost', '--out', dir])).toBe(3);
    expect(existsSync(join(dir, 'localhost.key'))).toBe(false);
    expect(existsSync(join(dir, 'localhost.secret'))).toBe(false);
  });

  it('fail/a certificate for another key: exit 1, nothing written', async () => {
    const dir = newDir();
    const other = generateKeyPair('ecdsa-p256').publicKey.export({ type: 'spki', format: 'der' });
    let wrong = '';
    enroll.on('POST /api/v1/requests', () => ({ status: 201, body: answer(25, 'issued', { certificate: wrong, chain: [caPem] }) }));
    expect(await cli(['cert', 'localhost', '--out', dir], {}, async (csr) => void (wrong = await issueFor(csr, other)))).toBe(1);
    expect(err.join('')).toBe('signet: the certificate of request 25 is not for the key made here; nothing written\n');
    expect(existsSync(dir)).toBe(false);
  });

  it('ok/an existing key file of a wider mode is replaced by one of mode 0600', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'localhost.key'), 'old', { mode: 0o644 });
    expect(await cliIssuing(['cert', 'localhost', '--out', dir], (_s, cert) => ({ status: 201, body: answer(26, 'issued', { certificate: cert, chain: [caPem] }) }))).toBe(0);
    expect(statSync(join(dir, 'localhost.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'localhost.key'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('fail/several CAs and no default: the intermediary\'s CA_REQUIRED, exit 2', async () => {
    enroll.on('POST /api/v1/requests', {
      status: 400,
      body: { code: 'CA_REQUIRED', message: 'several CAs are on the bus and none is the default: name one with "ca"; CAs: a, b', details: { cas: ['a', 'b'] } },
    });
    expect(await cli(['cert', 'localhost', '--out', newDir()])).toBe(2);
    expect(err.join('')).toBe('signet: several CAs are on the bus and none is the default: name one with "ca"; CAs: a, b [CA_REQUIRED]\n');
  });

  it.each<[string, string[], string]>([
    ['fail/no --out', ['cert', 'localhost'], 'signet: signet cert needs --out <dir>: where the key and the certificate go\n'],
    ['fail/no name', ['cert', '--out', '/tmp/x'], 'signet: usage: signet cert <name> [<name> ...] [options]; "signet cert --help" explains\n'],
    ['fail/a bad name', ['cert', 'my_host', '--out', '/tmp/x'], 'signet: "my_host" is neither an IP address nor a DNS name: it has an invalid label "my_host"\n'],
    ['fail/a bad key type', ['cert', 'localhost', '--out', '/tmp/x', '--key-type', 'dsa'], 'signet: --key-type: one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072\n'],
    ['fail/a bad wait', ['cert', 'localhost', '--out', '/tmp/x', '--wait', 'soon'], 'signet: --wait: a whole number from 0 to 86400\n'],
  ])('%s: exit 2, nothing sent', async (_n, argv, message) => {
    expect(await cli(argv)).toBe(2);
    expect(err.join('')).toBe(message);
    expect(enroll.seen).toEqual([]);
  });
});
