import { KeyObject } from 'node:crypto';
import type { Name, San } from '@signet/contracts';
import { ErrorCode } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { OID } from './oids';
import {
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  subjectKeyIdentifier,
} from './extensions';
import { CaKeyAlgorithm, generateKeyPair } from './keys';
import { Signer, createSigner } from './signer';
import { randomSerialHex } from './serial';
import { CertificateSpec, issueCertificate, prepareCertificate } from './certificate';
import { createSelfSignedCa } from './self-signed';
import { parseCertificate, splitCertificate, verifyCertificateSignature } from './inspect';
import { toPem } from './pem';
import { lintCertificate } from './lint';
import { must, run, waitForTool } from './test-tools';

const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());
beforeAll(() => waitForTool('certtool'));

const DAY = 86_400_000;
// certtool cannot verify "at" a given time, so validity follows the real clock: from yesterday's midnight.
const NOW = new Date(Math.floor(Date.now() / DAY) * DAY - DAY);
const CA_END = new Date('2060-01-01T00:00:00Z');

interface Ca {
  der: Buffer;
  pem: string;
  signer: Signer;
  privateKey: KeyObject;
}

async function makeCa(alg: CaKeyAlgorithm, subject: Name): Promise<Ca> {
  const { privateKey, publicKey } = generateKeyPair(alg);
  const der = await createSelfSignedCa({ subject, privateKey, publicKey, notBefore: NOW, notAfter: CA_END });
  return { der, pem: toPem(der, 'CERTIFICATE'), signer: createSigner(privateKey), privateKey };
}

function leafSpec(spki: Buffer, caSpki: Buffer, opts: Partial<CertificateSpec> & { sans?: San[] } = {}): CertificateSpec {
  const sans = opts.sans ?? [
    { type: 'dns', value: 'www.example.com' },
    { type: 'ip', value: '192.0.2.10' },
  ];
  return {
    serialHex: randomSerialHex(),
    subject: [
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'Signet' },
      { type: 'OU', value: 'Ops' },
      { type: 'CN', value: 'www.example.com' },
    ],
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + 90 * DAY),
    spki,
    extensions: [
      { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
      { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
      { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]) },
      { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName(sans) },
      { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(spki)) },
      { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(caSpki)) },
    ],
    ...opts,
  };
}

const leafKey = generateKeyPair('ecdsa-p256');
const leafSpki = leafKey.publicKey.export({ type: 'spki', format: 'der' });

function verifyWithTools(caPem: string, leafDer: Buffer, name: string): void {
  const caFile = scratch.write(`${name}-ca.pem`, caPem);
  const leafFile = scratch.write(`${name}-leaf.pem`, toPem(leafDer, 'CERTIFICATE'));
  const ossl = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, leafFile]);
  expect(ossl.out).toContain(': OK');
  expect(ossl.status).toBe(0);
  const gnutls = run('certtool', ['--verify', '--load-ca-certificate', caFile, '--infile', leafFile]);
  expect(gnutls.out).toContain('Chain verification output: Verified');
  expect(gnutls.status).toBe(0);
}

describe.each<CaKeyAlgorithm>(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'])('CA key %s', (alg) => {
  let ca: Ca;
  beforeAll(async () => {
    ca = await makeCa(alg, [
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'Signet' },
      { type: 'CN', value: `Signet Test Root ${alg}` },
    ]);
  });

  it('self-signed CA passes openssl -x509_strict and certtool', () => {
    const caFile = scratch.write(`${alg}-root.pem`, ca.pem);
    const ossl = run('openssl', ['verify', '-x509_strict', '-CAfile', caFile, caFile]);
    expect(ossl.out).toContain(': OK');
    const gnutls = run('certtool', ['--verify', '--load-ca-certificate', caFile, '--infile', caFile]);
    expect(gnutls.out).toContain('Chain verification output: Verified');
    expect(gnutls.status).toBe(0);
  });

  it('issues a TLS server leaf both verifiers accept', async () => {
    const spki = splitCertificate(ca.der).spki;
    const token = prepareCertificate(leafSpec(leafSpki, spki), { certificateDer: ca.der, signer: ca.signer });
    const leaf = await issueCertificate(token);
    verifyWithTools(ca.pem, leaf, alg);
    expect(await verifyCertificateSignature(leaf, ca.der)).toBe(true);
    // Issuer copied byte-exact from the CA subject.
    expect(splitCertificate(leaf).issuerDer.equals(splitCertificate(ca.der).subjectDer)).toBe(true);
  });

  it('issues a localhost leaf (DNS localhost, IP 127.0.0.1 and ::1) that lint and both verifiers accept, for each name', async () => {
    const spki = splitCertificate(ca.der).spki;
    const sans: San[] = [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ];
    const spec = leafSpec(leafSpki, spki, { sans, subject: [{ type: 'CN', value: 'localhost' }] });
    expect(lintCertificate(spec, { notBefore: NOW, notAfter: CA_END, spki, isCa: true })).toEqual([]);
    const leaf = await issueCertificate(prepareCertificate(spec, { certificateDer: ca.der, signer: ca.signer }));
    verifyWithTools(ca.pem, leaf, `${alg}-localhost`);
    const caFile = scratch.path(`${alg}-localhost-ca.pem`);
    const leafFile = scratch.path(`${alg}-localhost-leaf.pem`);
    for (const check of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
      const r = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', ...check, '-CAfile', caFile, leafFile]);
      expect([check[1], r.status, r.out]).toEqual([check[1], 0, expect.stringContaining(': OK')]);
    }
    const wrong = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'www.example.com', '-CAfile', caFile, leafFile]);
    expect(wrong.status).not.toBe(0);
    const gnutls = run('certtool', ['--verify', '--verify-hostname', 'localhost', '--load-ca-certificate', caFile, '--infile', leafFile]);
    expect(gnutls.out).toContain('Chain verification output: Verified');
    expect(gnutls.status).toBe(0);
  });
});

describe('issuance details', () => {
  let ca: Ca;
  let caSpki: Buffer;
  beforeAll(async () => {
    ca = await makeCa('ecdsa-p256', [{ type: 'O', value: 'Signet' }, { type: 'CN', value: 'Signet Detail CA' }]);
    caSpki = splitCertificate(ca.der).spki;
  });
  const issuer = () => ({ certificateDer: ca.der, signer: ca.signer });

  it('encodes notAfter from 2050 as GeneralizedTime and before as UTCTime', async () => {
    const spec = leafSpec(leafSpki, caSpki, { notAfter: new Date('2051-06-01T12:00:00Z') });
    const der = await issueCertificate(prepareCertificate(spec, issuer()));
    const asn1 = must('openssl', ['asn1parse', '-inform', 'DER'], der);
    const utc = NOW.toISOString().slice(2, 10).replace(/-/g, '');
    expect(asn1).toMatch(new RegExp(`UTCTIME\\s+:${utc}000000Z`));
    expect(asn1).toMatch(/GENERALIZEDTIME\s+:20510601120000Z/);
    expect(parseCertificate(der).notAfter.toISOString()).toBe('2051-06-01T12:00:00.000Z');
    verifyWithTools(ca.pem, der, 'gt');
  });

  it('writes every RDN as its own SET (RFC 2253 shows commas, no "+")', async () => {
    const der = await issueCertificate(prepareCertificate(leafSpec(leafSpki, caSpki), issuer()));
    const file = scratch.write('rdn.pem', toPem(der, 'CERTIFICATE'));
    const subject = must('openssl', ['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']).trim();
    expect(subject).toBe('subject=CN=www.example.com,OU=Ops,O=Signet,C=DE');
  });

  it('round-trips through parseCertificate and a strict third parser', async () => {
    const spec = leafSpec(leafSpki, caSpki, {
      sans: [
        { type: 'dns', value: 'a.example.com' },
        { type: 'ip', value: '2001:db8::5' },
        { type: 'email', value: 'ops@example.com' },
        { type: 'upn', value: 'ops@corp.example' },
      ],
    });
    const der = await issueCertificate(prepareCertificate(spec, issuer()));
    const s = parseCertificate(der);
    expect(s.serialHex).toBe(spec.serialHex);
    expect(s.subject).toEqual(spec.subject);
    expect(s.issuer).toEqual([{ type: 'O', value: 'Signet' }, { type: 'CN', value: 'Signet Detail CA' }]);
    expect(s.spki.equals(leafSpki)).toBe(true);
    expect(s.extensions).toEqual(spec.extensions);
    expect(s.signatureAlgorithm).toBe(OID.ecdsaWithSHA256);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    const text = must('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], der);
    expect(text).toContain('DNS:a.example.com, IP Address:2001:DB8:0:0:0:0:0:5, email:ops@example.com, othername: UPN:');
    const py = [
      'import sys',
      'from cryptography import x509',
      'c = x509.load_der_x509_certificate(sys.stdin.buffer.read())',
      'print(c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))',
    ].join('\n');
    expect(must('python3', ['-c', py], der).trim()).toBe("['a.example.com']");
  });

  it('refuses to sign when lint fails, and signs nothing', async () => {
    const sign = jest.fn(ca.signer.sign);
    const spy: Signer = { signatureAlgorithmOid: ca.signer.signatureAlgorithmOid, spki: ca.signer.spki, sign };
    const spec = leafSpec(leafSpki, caSpki, { sans: [{ type: 'dns', value: 'bad_name.example.com' }] });
    let caught: unknown;
    try {
      prepareCertificate(spec, { certificateDer: ca.der, signer: spy });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: ErrorCode.LintFailed });
    expect((caught as { details: { problems: string[] } }).details.problems).toEqual([
      'subjectAltName: DNS name "bad_name.example.com" has an invalid label "bad_name"',
    ]);
    expect(sign).not.toHaveBeenCalled();
  });

  it('signs a CA certificate only when the caller allows one (ADR 0023); then both verifiers accept a leaf below it', async () => {
    const sub = generateKeyPair('ecdsa-p256');
    const subSpki = sub.publicKey.export({ type: 'spki', format: 'der' });
    const subCa = leafSpec(subSpki, caSpki, {
      subject: [{ type: 'O', value: 'Signet' }, { type: 'CN', value: 'Signet Sub CA' }],
      extensions: [
        { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: true, pathLength: 0 }) },
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature', 'keyCertSign', 'cRLSign']) },
        { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(subSpki)) },
        { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(caSpki)) },
      ],
    });
    expect(() => prepareCertificate(subCa, issuer())).toThrow(expect.objectContaining({ code: ErrorCode.LintFailed, message: expect.stringMatching(/cA TRUE is not allowed/) }));

    const subDer = await issueCertificate(prepareCertificate(subCa, issuer(), { caAllowed: true }));
    const subPem = toPem(subDer, 'CERTIFICATE');
    const leaf = await issueCertificate(prepareCertificate(leafSpec(leafSpki, subSpki), { certificateDer: subDer, signer: createSigner(sub.privateKey) }));
    const caFile = scratch.write('sub-root.pem', ca.pem);
    const chainFile = scratch.write('sub-chain.pem', `${toPem(leaf, 'CERTIFICATE')}${subPem}`);
    const ossl = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, '-untrusted', scratch.write('sub.pem', subPem), scratch.write('sub-leaf.pem', toPem(leaf, 'CERTIFICATE'))]);
    expect([ossl.status, ossl.out]).toEqual([0, expect.stringContaining(': OK')]);
    const gnutls = run('certtool', ['--verify', '--load-ca-certificate', caFile, '--infile', chainFile]);
    expect([gnutls.status, gnutls.out]).toEqual([0, expect.stringContaining('Chain verification output: Verified')]);

    // pathLenConstraint 0: the sub-CA may not sign a CA certificate, whatever its caller allows.
    const below = leafSpec(leafSpki, subSpki, { extensions: [{ oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: true }) }, { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['keyCertSign']) }] });
    expect(() => prepareCertificate(below, { certificateDer: subDer, signer: createSigner(sub.privateKey) }, { caAllowed: true })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/pathLenConstraint 0 allows no CA certificate below it/) }),
    );
  });

  it('refuses a signer whose key is not the CA certificate key', () => {
    const other = createSigner(generateKeyPair('ecdsa-p256').privateKey);
    expect(() => prepareCertificate(leafSpec(leafSpki, caSpki), { certificateDer: ca.der, signer: other })).toThrow(
      expect.objectContaining({ code: ErrorCode.LintFailed }),
    );
  });

  it('issues a prepared certificate only once', async () => {
    const token = prepareCertificate(leafSpec(leafSpki, caSpki), issuer());
    const first = issueCertificate(token);
    await expect(issueCertificate(token)).rejects.toThrow(/already used/);
    await first;
    await expect(issueCertificate(token)).rejects.toThrow(/already used/);
    await expect(issueCertificate({ serialHex: '01', tbsSha256: '' })).rejects.toThrow(/unknown/);
  });

  it('reports a bad signature or a wrong issuer as false', async () => {
    const der = await issueCertificate(prepareCertificate(leafSpec(leafSpki, caSpki), issuer()));
    const tampered = Buffer.from(der);
    tampered[tampered.length - 5] ^= 0x01;
    expect(await verifyCertificateSignature(tampered, ca.der)).toBe(false);
    const stranger = await makeCa('ecdsa-p256', [{ type: 'CN', value: 'Stranger' }]);
    expect(await verifyCertificateSignature(der, stranger.der)).toBe(false);
  });

  it('accepts dates with milliseconds (cut to whole seconds)', async () => {
    const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
    const notBefore = new Date(Date.now() - 1234);
    const der = await createSelfSignedCa({ subject: [{ type: 'CN', value: 'ms' }], privateKey, publicKey, notBefore, notAfter: new Date(notBefore.getTime() + DAY + 567) });
    expect(parseCertificate(der).notBefore.getTime()).toBe(Math.floor(notBefore.getTime() / 1000) * 1000);
  });

  it('throws MalformedRequest for a non-certificate', () => {
    expect(() => parseCertificate(Buffer.from('3003020101', 'hex'))).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest }));
  });
});
