import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAcmeValidationCertificate } from './acme-validation-certificate';
import { decodeAcmeIdentifier, encodeAcmeIdentifier } from './extensions';
import { opensslCert } from './test-tools';

const DIGEST = createHash('sha256').update('token.thumbprint').digest();

describe('acmeIdentifier (RFC 8737 3)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'signet-acme-x509-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ok/encodes an OCTET STRING of 32 octets and reads it back', () => {
    const der = encodeAcmeIdentifier(DIGEST);
    expect(der.subarray(0, 2).toString('hex')).toBe('0420');
    expect(decodeAcmeIdentifier(der).equals(DIGEST)).toBe(true);
  });

  it('fail/a digest of another length', () => {
    expect(() => encodeAcmeIdentifier(DIGEST.subarray(0, 31))).toThrow(/32 octets/);
    expect(() => decodeAcmeIdentifier(Buffer.concat([Buffer.from([0x04, 0x10]), DIGEST.subarray(0, 16)]))).toThrow(/16 octets, expected 32/);
  });

  it('fail/not an OCTET STRING', () => {
    expect(() => decodeAcmeIdentifier(Buffer.from('0c0161', 'hex'))).toThrow();
  });

  it('ok/reads the names and the critical extension of a certificate openssl made', () => {
    const der = opensslCert(dir, ['subjectAltName=DNS:a.example', `1.3.6.1.5.5.7.1.31=critical,DER:0420${DIGEST.toString('hex')}`]);
    const c = readAcmeValidationCertificate(der);
    expect(c.sans).toEqual([{ type: 'dns', value: 'a.example' }]);
    expect(c.acmeIdentifier?.critical).toBe(true);
    expect(c.acmeIdentifier?.digest.equals(DIGEST)).toBe(true);
  });

  it('ok/a non-critical extension and an IP name are reported as they are', () => {
    const der = opensslCert(dir, ['subjectAltName=IP:192.0.2.1,DNS:b.example', `1.3.6.1.5.5.7.1.31=DER:0420${DIGEST.toString('hex')}`]);
    const c = readAcmeValidationCertificate(der);
    expect(c.sans).toEqual([
      { type: 'ip', value: '192.0.2.1' },
      { type: 'dns', value: 'b.example' },
    ]);
    expect(c.acmeIdentifier?.critical).toBe(false);
  });

  it('ok/no extension and no names', () => {
    const c = readAcmeValidationCertificate(opensslCert(dir, []));
    expect(c).toEqual({ sans: [], acmeIdentifier: undefined });
  });

  it('fail/garbage is MalformedRequest, not a crash', () => {
    expect(() => readAcmeValidationCertificate(Buffer.from('3003020101', 'hex'))).toThrow();
  });
});
