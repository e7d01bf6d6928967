import { generateKeyPairSync } from 'node:crypto';
import type { San } from '@signet/contracts';
import { OID } from './oids';
import {
  KeyUsageName,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  subjectKeyIdentifier,
} from './extensions';
import { LintIssuer, lintCertificate } from './lint';
import { dnsNameProblem } from './dns-name';
import type { CertificateSpec } from './certificate-spec';
import type { RawExtension } from './extension-list';

const spkiOf = (k: { publicKey: { export(o: object): Buffer | string } }) => k.publicKey.export({ type: 'spki', format: 'der' }) as Buffer;
const EC = spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const RSA = spkiOf(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const ED = spkiOf(generateKeyPairSync('ed25519'));
const CA_SPKI = spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }));

const CA: LintIssuer = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'), spki: CA_SPKI, isCa: true };

const ku = (u: KeyUsageName[], critical = true): RawExtension => ({ oid: OID.keyUsage, critical, value: encodeKeyUsage(u) });
const eku = (o: string[]): RawExtension => ({ oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage(o) });
const bc = (ca: boolean, critical = true, pathLength?: number): RawExtension => ({
  oid: OID.basicConstraints,
  critical,
  value: encodeBasicConstraints({ ca, pathLength }),
});
const san = (s: San[], critical = false): RawExtension => ({ oid: OID.subjectAltName, critical, value: encodeSubjectAltName(s) });
const dns = (...names: string[]): San[] => names.map((value) => ({ type: 'dns', value }));

function spec(over: Partial<CertificateSpec> = {}): CertificateSpec {
  return {
    serialHex: '7f0102030405060708090a0b0c0d0e0f',
    subject: [{ type: 'CN', value: 'www.example.com' }],
    notBefore: new Date('2026-02-01T00:00:00Z'),
    notAfter: new Date('2026-05-01T00:00:00Z'),
    spki: EC,
    extensions: [ku(['digitalSignature']), eku([OID.serverAuth]), san(dns('www.example.com'))],
    ...over,
  };
}

describe('lintCertificate', () => {
  it.each<[string, CertificateSpec, LintIssuer?]>([
    ['ok/TLS server leaf', spec()],
    ['ok/1-octet serial', spec({ serialHex: '01' })],
    ['ok/20-octet serial', spec({ serialHex: '7f'.repeat(20) })],
    ['ok/empty subject with critical SAN', spec({ subject: [], extensions: [san(dns('a.example.com'), true)] })],
    ['ok/RSA keyEncipherment', spec({ spki: RSA, extensions: [ku(['digitalSignature', 'keyEncipherment'])] })],
    ['ok/EC keyAgreement', spec({ extensions: [ku(['keyAgreement'])] })],
    ['ok/serverAuth with IP only', spec({ extensions: [eku([OID.serverAuth]), san([{ type: 'ip', value: '192.0.2.1' }])] })],
    ['ok/wildcard', spec({ extensions: [san(dns('*.example.com'))] })],
    ['ok/client cert without SAN', spec({ extensions: [eku([OID.clientAuth])] })],
    ['ok/email and UPN', spec({ extensions: [san([{ type: 'email', value: 'a@example.com' }, { type: 'upn', value: 'a@corp' }])] })],
    ['ok/AKI matches CA key', spec({ extensions: [{ oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(CA_SPKI)) }] })],
    ['ok/validity equal to CA validity', spec({ notBefore: CA.notBefore, notAfter: CA.notAfter })],
  ])('%s', (_n, s, ca = CA) => {
    expect(lintCertificate(s, ca)).toEqual([]);
  });

  it.each<[string, CertificateSpec, string | RegExp, LintIssuer?]>([
    ['fail/serial zero', spec({ serialHex: '00' }), 'serial: must not be zero'],
    ['fail/serial 21 octets', spec({ serialHex: '7f'.repeat(21) }), 'serial: 21 octets, more than 20'],
    ['fail/serial 20 octets but needs a sign byte', spec({ serialHex: 'ff'.repeat(20) }), 'serial: 21 octets, more than 20'],
    ['fail/serial upper-case', spec({ serialHex: 'AB' }), /lower-case hex/],
    ['fail/serial odd length', spec({ serialHex: 'abc' }), /even number/],
    ['fail/notBefore after notAfter', spec({ notBefore: new Date('2026-06-01T00:00:00Z') }), 'validity: notBefore must be before notAfter'],
    ['fail/notBefore equal notAfter', spec({ notAfter: new Date('2026-02-01T00:00:00Z') }), 'validity: notBefore must be before notAfter'],
    ['fail/starts before CA', spec({ notBefore: new Date('2025-12-31T23:59:59Z') }), /before the CA certificate's notBefore/],
    ['fail/ends after CA', spec({ notAfter: new Date('2036-01-01T00:00:01Z') }), /after the CA certificate's notAfter/],
    ['fail/invalid date', spec({ notAfter: new Date('nope') }), 'validity: invalid date'],
    ['fail/duplicate extension', spec({ extensions: [ku(['digitalSignature']), ku(['digitalSignature'])] }), `extensions: ${OID.keyUsage} appears more than once`],
    ['fail/empty subject, no SAN', spec({ subject: [], extensions: [] }), 'subject is empty and there is no subjectAltName'],
    ['fail/empty subject, SAN not critical', spec({ subject: [], extensions: [san(dns('a.example.com'))] }), 'subject is empty, so subjectAltName must be critical'],
    ['fail/EC keyEncipherment', spec({ extensions: [ku(['digitalSignature', 'keyEncipherment'])] }), 'keyUsage: keyEncipherment is not possible with an ec key'],
    ['fail/EC dataEncipherment', spec({ extensions: [ku(['dataEncipherment'])] }), 'keyUsage: dataEncipherment is not possible with an ec key'],
    ['fail/Ed25519 keyEncipherment', spec({ spki: ED, extensions: [ku(['keyEncipherment'])] }), 'keyUsage: keyEncipherment is not possible with an ed25519 key'],
    ['fail/RSA keyAgreement', spec({ spki: RSA, extensions: [ku(['keyAgreement'])] }), 'keyUsage: keyAgreement is not possible with an rsa key'],
    ['fail/keyCertSign without CA', spec({ extensions: [ku(['keyCertSign'])] }), 'keyUsage: keyCertSign requires basicConstraints cA TRUE'],
    ['fail/keyCertSign with cA FALSE', spec({ extensions: [bc(false), ku(['keyCertSign'])] }), 'keyUsage: keyCertSign requires basicConstraints cA TRUE'],
    ['fail/CA basicConstraints not critical', spec({ extensions: [bc(true, false), ku(['keyCertSign'])] }), 'basicConstraints: must be critical in a CA certificate'],
    ['fail/CA without keyCertSign', spec({ extensions: [bc(true)] }), 'keyUsage: a CA certificate needs keyCertSign'],
    ['fail/keyUsage with no bit set', spec({ extensions: [{ oid: OID.keyUsage, critical: true, value: Buffer.from('030100', 'hex') }] }), 'keyUsage: no usage is set (RFC 5280 4.2.1.3)'],
    ['fail/serverAuth without SAN', spec({ extensions: [eku([OID.serverAuth])] }), 'extKeyUsage: serverAuth needs at least one DNS or IP subjectAltName'],
    ['fail/serverAuth with email SAN only', spec({ extensions: [eku([OID.serverAuth]), san([{ type: 'email', value: 'a@b.c' }])] }), /serverAuth needs/],
    ['fail/DNS underscore', spec({ extensions: [san(dns('a_b.example.com'))] }), /invalid label "a_b"/],
    ['fail/DNS wildcard in the middle', spec({ extensions: [san(dns('www.*.example.com'))] }), /wildcard that is not the whole left-most label/],
    ['fail/DNS partial wildcard', spec({ extensions: [san(dns('w*.example.com'))] }), /wildcard that is not the whole left-most label/],
    ['fail/DNS label 64', spec({ extensions: [san(dns(`${'a'.repeat(64)}.com`))] }), /label longer than 63/],
    ['fail/DNS total 254', spec({ extensions: [san(dns(`${'a.'.repeat(126)}ab`))] }), /longer than 253/],
    ['fail/DNS empty label', spec({ extensions: [san(dns('a..example.com'))] }), /empty label/],
    ['fail/DNS hyphen at end', spec({ extensions: [san(dns('a-.example.com'))] }), /invalid label "a-"/],
    ['fail/email without @', spec({ extensions: [san([{ type: 'email', value: 'nobody' }])] }), /email "nobody" is not local@domain/],
    ['fail/CN too long', spec({ subject: [{ type: 'CN', value: 'x'.repeat(65) }] }), 'name: CN longer than 64 characters'],
    ['fail/unknown subject type', spec({ subject: [{ type: 'XX', value: 'x' }] }), /unknown attribute type "XX"/],
    ['fail/undecodable keyUsage', spec({ extensions: [{ oid: OID.keyUsage, critical: true, value: Buffer.from('0500', 'hex') }] }), /keyUsage: cannot decode/],
    ['fail/AKI of another key', spec({ extensions: [{ oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(Buffer.alloc(20, 1)) }] }), 'authorityKeyIdentifier: does not match the CA key'],
    ['fail/issuer not a CA', spec(), 'issuer: the issuing certificate is not a CA', { ...CA, isCa: false }],
    ['fail/unreadable SPKI', spec({ spki: Buffer.from('3000', 'hex') }), 'subjectPublicKeyInfo: not a readable public key'],
  ])('%s', (_n, s, problem, ca = CA) => {
    const problems = lintCertificate(s, ca);
    expect(problems).toContainEqual(typeof problem === 'string' ? problem : expect.stringMatching(problem));
  });

  it('uses the key description it is given instead of the SPKI', () => {
    const s = spec({ extensions: [ku(['keyEncipherment'])] });
    expect(lintCertificate(s, CA, { keyInfo: { algorithm: 'rsa', bits: 2048, spkiSha256: '0'.repeat(64) } })).toEqual([]);
  });

  // ADR 0023: a certificate is an end entity unless its issuer says it may be a CA; what it says about itself does not count.
  describe('CA powers', () => {
    const subCa = spec({ extensions: [bc(true, true, 0), ku(['keyCertSign', 'cRLSign'])] });

    it.each<[string, CertificateSpec, LintIssuer?]>([
      ['ok/sub-CA', subCa],
      ['ok/sub-CA without path length under an unlimited issuer', spec({ extensions: [bc(true), ku(['keyCertSign'])] })],
      ['ok/sub-CA pathLen 0 under an issuer with pathLen 1', subCa, { ...CA, pathLength: 1 }],
      ['ok/end entity under a CA with pathLen 0', spec(), { ...CA, pathLength: 0 }],
    ])('%s, when the CA allows it', (_n, s, ca = CA) => {
      expect(lintCertificate(s, ca, { caAllowed: true })).toEqual([]);
    });

    it.each<[string, CertificateSpec, string[]]>([
      ['fail/consistent sub-CA', subCa, [
        'basicConstraints: cA TRUE is not allowed: the certificate is not issued under a CA template',
        'basicConstraints: pathLenConstraint is not allowed: the certificate is not issued under a CA template',
        'keyUsage: keyCertSign is not allowed: the certificate is not issued under a CA template',
        'keyUsage: cRLSign is not allowed: the certificate is not issued under a CA template',
      ]],
      ['fail/cA TRUE alone', spec({ extensions: [bc(true)] }), ['basicConstraints: cA TRUE is not allowed: the certificate is not issued under a CA template']],
      ['fail/cRLSign on a leaf', spec({ extensions: [ku(['digitalSignature', 'cRLSign'])] }), ['keyUsage: cRLSign is not allowed: the certificate is not issued under a CA template']],
      ['fail/keyCertSign on a leaf', spec({ extensions: [bc(false), ku(['keyCertSign'])] }), ['keyUsage: keyCertSign is not allowed: the certificate is not issued under a CA template']],
    ])('%s, by default and with caAllowed false', (_n, s, problems) => {
      for (const found of [lintCertificate(s, CA), lintCertificate(s, CA, { caAllowed: false })]) {
        expect(found).toEqual(expect.arrayContaining(problems));
      }
    });

    it.each<[string, CertificateSpec, LintIssuer, string]>([
      ['fail/issuer pathLen 0', subCa, { ...CA, pathLength: 0 }, "basicConstraints: the issuing CA's pathLenConstraint 0 allows no CA certificate below it"],
      ['fail/same path length as the issuer', spec({ extensions: [bc(true, true, 1), ku(['keyCertSign'])] }), { ...CA, pathLength: 1 }, "basicConstraints: pathLenConstraint must be below the issuing CA's 1"],
      ['fail/no path length under a limited issuer', spec({ extensions: [bc(true), ku(['keyCertSign'])] }), { ...CA, pathLength: 2 }, "basicConstraints: pathLenConstraint must be below the issuing CA's 2"],
    ])('%s, even when the CA allows a sub-CA', (_n, s, ca, problem) => {
      expect(lintCertificate(s, ca, { caAllowed: true })).toContain(problem);
    });
  });

  it('reports every problem, not only the first', () => {
    const s = spec({ serialHex: '00', notBefore: new Date('2027-01-01T00:00:00Z'), extensions: [eku([OID.serverAuth])] });
    expect(lintCertificate(s, CA)).toHaveLength(3);
  });
});

describe('dnsNameProblem', () => {
  it.each<[string, string, string | undefined]>([
    ['ok/simple', 'example.com', undefined],
    ['ok/single label', 'localhost', undefined],
    ['ok/digits and hyphen', 'a-1.b2.example', undefined],
    ['ok/A-label', 'xn--bcher-kva.example', undefined],
    ['ok/63-char label', `${'a'.repeat(63)}.com`, undefined],
    ['ok/253 total', `${'a.'.repeat(125)}abc`, undefined],
    ['fail/empty', '', 'is empty'],
    ['fail/trailing dot', 'example.com.', 'ends with a dot'],
    ['fail/bare wildcard', '*', 'is a bare wildcard'],
    ['fail/double wildcard', '*.*.example.com', 'has a wildcard that is not the whole left-most label'],
    ['fail/leading hyphen', '-a.example.com', 'has an invalid label "-a"'],
    ['fail/space', 'a b.example.com', 'has an invalid label "a b"'],
  ])('%s', (_n, name, problem) => expect(dnsNameProblem(name)).toBe(problem));
});
