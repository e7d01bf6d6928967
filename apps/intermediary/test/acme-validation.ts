import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkChallengeValidator } from '../src/acme/validation/network-validator';
import type { AcmeValidationConfig } from '../src/acme/validation/validation.config';

/** Test helpers for the challenge validator's tests (ADR 0036). */

/** A validator with test settings: private addresses allowed unless the case says otherwise. */
export function validatorWith(config: Partial<AcmeValidationConfig>): NetworkChallengeValidator {
  return new NetworkChallengeValidator({
    http01Port: 80,
    tlsAlpn01Port: 443,
    dnsResolvers: [],
    timeoutMs: 5_000,
    maxRedirects: 10,
    maxBodyBytes: 8_192,
    allowPrivateAddresses: true,
    allowedAddresses: [],
    ...config,
  });
}

/** A fresh token and the key authorization an account would compute for it (the thumbprint is random: the validator never sees the key). */
export function challenge(): { token: string; keyAuthorization: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, keyAuthorization: `${token}.${randomBytes(32).toString('base64url')}` };
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A self-signed TLS-ALPN-01 certificate made by openssl (independent of
 * libs/x509): `san` as openssl writes it (`DNS:a.example`, `IP:127.0.0.1`,
 * several comma-separated), and the acmeIdentifier extension critical,
 * non-critical or absent.
 */
export function alpnCertificate(opts: { san?: string; digest?: Buffer; acmeIdentifier?: 'critical' | 'non-critical' | 'absent' }): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'signet-alpn-'));
  const exts: string[] = [];
  if (opts.san) exts.push(`subjectAltName=${opts.san}`);
  const mode = opts.acmeIdentifier ?? 'critical';
  if (mode !== 'absent') {
    if (!opts.digest) throw new Error('alpnCertificate: a digest is needed for the acmeIdentifier extension');
    exts.push(`1.3.6.1.5.5.7.1.31=${mode === 'critical' ? 'critical,' : ''}DER:0420${opts.digest.toString('hex')}`);
  }
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=acme validation', ...exts.flatMap((e) => ['-addext', e])], {
    stdio: 'pipe',
  });
  const out = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  return out;
}
