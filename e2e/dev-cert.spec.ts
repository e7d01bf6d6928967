import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request, createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signetCli, type CliResult } from './support/cli';
import { run, x509Text } from './support/openssl';
import { Stack } from './support/stack';

// "signet cert localhost 127.0.0.1 ::1 --out DIR", the first thing after npm
// start, against all five services with the shipped policy: a key made by
// the CLI, a certificate from the Development template, both checked with
// OpenSSL and GnuTLS and used for a real TLS connection.
const stack = new Stack();
const dir = join(mkdtempSync(join(tmpdir(), 'signet-dev-cert-')), 'dev');
const file = (name: string) => join(dir, name);
let result: CliResult;

beforeAll(async () => {
  await stack.start();
  // No --ca and no SIGNET_CA: the intermediary's default, which npm start (and this stack) set to its own CA.
  result = await signetCli(stack, ['cert', 'localhost', '127.0.0.1', '::1', '--out', dir], undefined, { SIGNET_CA: '' });
}, 180_000);
afterAll(() => stack.close(), 60_000);

describe('signet cert localhost 127.0.0.1 ::1', () => {
  it('is issued at once by the default CA under the Development template', async () => {
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain(`CA:             ${stack.ca}\n`);
    expect(result.stdout).toContain('Template:       Development\n');
    // The certificate on disk is the one this stack's CA stored.
    const serial = run('openssl', ['x509', '-noout', '-serial', '-in', file('localhost.crt')]).out.trim().replace(/^serial=/, '').toLowerCase();
    const rows = (await stack.db.query('SELECT ca_name, serial, template FROM certificate')).rows;
    expect(rows).toEqual([{ ca_name: stack.ca, serial, template: 'Development' }]);
  });

  it('writes the key (0600), certificate, chain, full chain and CA certificate, and says how to trust the CA', () => {
    expect(statSync(file('localhost.key')).mode & 0o777).toBe(0o600);
    const crt = readFileSync(file('localhost.crt'), 'utf8');
    const chain = readFileSync(file('chain.pem'), 'utf8');
    expect(readFileSync(file('fullchain.pem'), 'utf8')).toBe(crt + chain);
    expect(chain.startsWith(readFileSync(file('ca.crt'), 'utf8'))).toBe(true);
    expect(result.stdout).toContain(`sudo cp ${file('ca.crt')} /usr/local/share/ca-certificates/signet-${stack.ca}.crt && sudo update-ca-certificates`);
    expect(result.stdout).toContain(`curl --cacert ${file('ca.crt')} https://localhost:8443/`);
    const keyBody = readFileSync(file('localhost.key'), 'utf8').split('\n')[1];
    expect(result.stdout + result.stderr).not.toContain(keyBody);
    // Issued at once: the request's retrieval secret is neither kept nor shown.
    expect(existsSync(file('localhost.secret'))).toBe(false);
    expect(result.stdout + result.stderr).not.toContain('sgr_');
  });

  it('the key matches the certificate', () => {
    const keyPub = run('openssl', ['pkey', '-in', file('localhost.key'), '-pubout']);
    const crtPub = run('openssl', ['x509', '-in', file('localhost.crt'), '-noout', '-pubkey']);
    expect(keyPub.code).toBe(0);
    expect(keyPub.out).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(crtPub.out).toBe(keyPub.out);
  });

  it('carries the three names, serverAuth, and CN localhost', () => {
    const text = x509Text(readFileSync(file('localhost.crt'), 'utf8'));
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication\n/);
    expect(text).toMatch(/Subject: CN ?= ?localhost\n/);
  });

  it.each([
    ['localhost', ['-verify_hostname', 'localhost']],
    ['127.0.0.1', ['-verify_ip', '127.0.0.1']],
    ['::1', ['-verify_ip', '::1']],
  ])('passes openssl verify -x509_strict -purpose sslserver for %s', (_n, check) => {
    const r = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', ...check, '-CAfile', file('ca.crt'), file('localhost.crt')]);
    expect(r.out).toContain(': OK');
    expect(r.code).toBe(0);
  });

  it('passes certtool --verify for localhost', () => {
    const r = run('certtool', ['--verify', '--verify-hostname', 'localhost', '--load-ca-certificate', file('ca.crt'), '--infile', file('localhost.crt')]);
    expect(r.out).toMatch(/Chain verification output: Verified/);
    expect(r.code).toBe(0);
  });

  it('serves TLS on https://localhost that a client trusting only ca.crt accepts', async () => {
    const server: Server = createServer({ key: readFileSync(file('localhost.key')), cert: readFileSync(file('fullchain.pem')) }, (_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', servername: 'localhost', port, path: '/', ca: readFileSync(file('ca.crt')), headers: { host: 'localhost' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('hello');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('localhost elsewhere', () => {
  it('the WebServer template refuses it: exit 3, the rule named, no files', async () => {
    const other = join(dir, '..', 'webserver');
    const r = await signetCli(stack, ['cert', 'localhost', '--template', 'WebServer', '--out', other, '--json']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ disposition: 'denied', decidedBy: { rule: 'san.dns', field: 'subjectAltName.dns', value: 'localhost' } });
    expect(r.json.message).toContain('DNS name localhost is a single-label name, which template WebServer accepts only when its san.dns.names lists it');
    expect(run('ls', [other]).code).not.toBe(0);
  });

  it('the Development template refuses a name that is not local', async () => {
    const r = await signetCli(stack, ['cert', 'localhost', 'www.example.com', '--template', 'Development', '--out', join(dir, '..', 'mixed'), '--json']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ disposition: 'denied', decidedBy: { rule: 'san.dns', value: 'www.example.com' } });
  });
});
