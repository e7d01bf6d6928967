import { ScratchDir } from '@signet/testing';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { readCredentialFiles } from './credentials';

const scratch = new ScratchDir('signet-tls-files-');
afterAll(() => scratch.remove());

function selfSigned(name: string): { cert: string; key: string } {
  const cert = scratch.path(`${name}.pem`);
  const key = scratch.path(`${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '2'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key };
}

describe('readCredentialFiles (SIGNET_TLS_MODE=files)', () => {
  const a = selfSigned('a');
  const b = selfSigned('b');

  it('ok/certificate, key and chain file: the leaf first, then the chain; dates and serial from the leaf', () => {
    const warnings: string[] = [];
    const c = readCredentialFiles({ cert: a.cert, key: a.key, chain: b.cert }, (m) => warnings.push(m));
    expect(c.cert).toBe(`${readFileSync(a.cert, 'utf8').trim()}\n${readFileSync(b.cert, 'utf8').trim()}\n`);
    expect(c.ca).toEqual([`${readFileSync(b.cert, 'utf8').trim()}\n`]);
    expect(c.source).toBe('files');
    expect(c.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(warnings).toEqual([]);
  });

  it('ok/a key file others can read is served, with a warning', () => {
    const open = selfSigned('open');
    chmodSync(open.key, 0o644);
    const warnings: string[] = [];
    readCredentialFiles({ cert: open.cert, key: open.key }, (m) => warnings.push(m));
    expect(warnings).toEqual([`SIGNET_TLS_KEY_FILE ${open.key} can be read by others than its owner (chmod 600 it)`]);
  });

  it.each([
    ['fail/a key that is not the certificate\'s', () => readCredentialFiles({ cert: a.cert, key: b.key }, () => undefined), 'the certificate does not belong to the key'],
    ['fail/a missing file', () => readCredentialFiles({ cert: scratch.path('none.pem'), key: a.key }, () => undefined), 'SIGNET_TLS_CERT_FILE: cannot read'],
    ['fail/no certificate in the file', () => readCredentialFiles({ cert: a.key, key: a.key }, () => undefined), 'holds no PEM certificate'],
  ])('%s', (_n, read, message) => {
    expect(read).toThrow(message);
  });

  it('the key never appears in an error message', () => {
    try {
      readCredentialFiles({ cert: a.cert, key: b.key }, () => undefined);
    } catch (e) {
      expect((e as Error).message).not.toContain('PRIVATE KEY');
    }
    expect.assertions(1);
  });
});
