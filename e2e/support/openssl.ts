import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'signet-csr-'));
let n = 0;

export type KeySpec = 'ec-p256' | 'ec-p384' | 'rsa-1024' | 'rsa-2048' | 'rsa-3072';

/** A CSR made by `openssl req`, as a client would make it. Keys live in a temp dir only. */
export function opensslCsr(opts: { key?: KeySpec; subject: string; sans?: string[] }): string {
  const base = join(dir, `req${++n}`);
  const key = opts.key ?? 'ec-p256';
  const keyArgs = key.startsWith('ec')
    ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key === 'ec-p384' ? 'P-384' : 'P-256'}`]
    : ['-newkey', `rsa:${key.split('-')[1]}`];
  const args = ['req', '-new', ...keyArgs, '-nodes', '-keyout', `${base}.key`, '-subj', opts.subject, '-out', `${base}.csr`];
  if (opts.sans?.length) args.push('-addext', `subjectAltName=${opts.sans.join(',')}`);
  execFileSync('openssl', args, { stdio: 'pipe' });
  return readFileSync(`${base}.csr`, 'utf8');
}

/** Flips one byte of the signature: the CSR still parses but proves nothing. */
export function tamperCsrSignature(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  der[der.length - 5] ^= 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export function writeTemp(name: string, content: string): string {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, content);
  return p;
}

export function run(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

export function x509Text(pem: string): string {
  return run('openssl', ['x509', '-noout', '-text', '-in', writeTemp('cert.pem', pem)]).out;
}
