import { ErrorCode } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { OID } from '../oids';
import {
  encodeAuthorityInfoAccess,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeCrlDistributionPoints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  subjectKeyIdentifier,
} from '../extensions';
import { generateKeyPair, type CaKeyAlgorithm } from '../keys';
import { createSigner, type Signer } from '../signer';
import { randomSerialHex } from '../serial';
import { issueCertificate, prepareCertificate } from '../certificate';
import { createSelfSignedCa } from '../self-signed';
import { toPem } from '../pem';
import { must, run, waitForTool } from '../test-tools';
import { ChunkWriter } from './chunk-writer';
import { writeCrlEntry, type CrlEntry } from './crl-entry';
import { buildCrl, CrlBuilder } from './crl';

const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());
beforeAll(() => waitForTool('certtool'));

const MIN = 60_000;
const DAY = 86_400_000;
// openssl and certtool check against the real clock: the CRL is current.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - MIN);

interface Ca {
  der: Buffer;
  pem: string;
  signer: Signer;
}

async function makeCa(alg: CaKeyAlgorithm = 'ecdsa-p256'): Promise<Ca> {
  const { privateKey, publicKey } = generateKeyPair(alg);
  const der = await createSelfSignedCa({
    subject: [{ type: 'C', value: 'DE' }, { type: 'O', value: 'Signet' }, { type: 'CN', value: `CRL Test CA ${alg}` }],
    privateKey,
    publicKey,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 3650 * DAY),
  });
  return { der, pem: toPem(der, 'CERTIFICATE'), signer: createSigner(privateKey) };
}

async function makeLeaf(ca: Ca, cn: string): Promise<{ der: Buffer; serialHex: string; path: string }> {
  const { publicKey } = generateKeyPair('ecdsa-p256');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serialHex = randomSerialHex();
  const token = prepareCertificate(
    {
      serialHex,
      subject: [{ type: 'CN', value: cn }],
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 30 * DAY),
      spki,
      extensions: [
        { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
        { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]) },
        { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: cn }]) },
        { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(ca.signer.spki)) },
        { oid: OID.crlDistributionPoints, critical: false, value: encodeCrlDistributionPoints(['http://crl.example.test/ca.crl']) },
        { oid: OID.authorityInfoAccess, critical: false, value: encodeAuthorityInfoAccess({ ocsp: ['http://ocsp.example.test/ca'], caIssuers: ['http://crl.example.test/ca.crt'] }) },
      ],
    },
    { certificateDer: ca.der, signer: ca.signer },
  );
  const der = await issueCertificate(token);
  return { der, serialHex, path: scratch.write(`${cn}.pem`, toPem(der, 'CERTIFICATE')) };
}

const spec = (ca: Ca, extra: Partial<Parameters<typeof buildCrl>[0]> = {}) => ({
  issuerCertificateDer: ca.der,
  signer: ca.signer,
  crlNumber: 1,
  thisUpdate: NOW,
  nextUpdate: new Date(NOW.getTime() + DAY),
  ...extra,
});

function crlText(der: Buffer, name: string): string {
  return must('openssl', ['crl', '-inform', 'DER', '-in', scratch.write(name, der), '-noout', '-text']);
}

describe('CRL entries (golden DER)', () => {
  const entry = (e: CrlEntry) => {
    const w = new ChunkWriter(16);
    writeCrlEntry(w, e);
    const out = Buffer.alloc(w.length);
    w.copyTo(out, 0);
    return out.toString('hex');
  };
  const at = new Date('2026-11-25T10:20:30.999Z');

  it.each<[string, CrlEntry, string]>([
    ['ok/no reason (unspecified is left out)', { serialHex: '01', revocationDate: at, reason: 0 }, '3012020101170d3236313132353130323033305a'],
    ['ok/high bit gets a 00', { serialHex: '80', revocationDate: at }, '301302020080170d3236313132353130323033305a'],
    ['ok/leading zero octets are dropped', { serialHex: '000001', revocationDate: at }, '3012020101170d3236313132353130323033305a'],
    [
      'ok/keyCompromise with invalidity date',
      { serialHex: '0a', revocationDate: at, reason: 1, invalidityDate: new Date('2026-11-20T00:00:00Z') },
      '303a' + '02010a' + '170d3236313132353130323033305a' + '3026' + '300a0603551d1504030a0101' + '30180603551d180411180f32303236313132303030303030305a',
    ],
    ['ok/GeneralizedTime from 2050', { serialHex: '02', revocationDate: new Date('2050-01-01T00:00:00Z'), reason: 6 }, '3022020102' + '180f32303530303130313030303030305a' + '300c300a0603551d1504030a0106'],
  ])('%s', (_n, e, hex) => expect(entry(e)).toBe(hex));

  it.each<[string, CrlEntry]>([
    ['fail/upper-case serial', { serialHex: 'AB', revocationDate: at }],
    ['fail/odd serial', { serialHex: 'abc', revocationDate: at }],
    ['fail/33-octet serial', { serialHex: '01'.repeat(33), revocationDate: at }],
    ['fail/reason 7', { serialHex: '01', revocationDate: at, reason: 7 }],
    ['fail/reason 11', { serialHex: '01', revocationDate: at, reason: 11 }],
    ['fail/invalid date', { serialHex: '01', revocationDate: new Date(NaN) }],
  ])('%s', (_n, e) => expect(() => entry(e)).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest })));
});

describe('base and delta CRLs, judged by openssl and certtool', () => {
  let ca: Ca;
  let caPath: string;
  let good: Awaited<ReturnType<typeof makeLeaf>>;
  let revoked: Awaited<ReturnType<typeof makeLeaf>>;

  beforeAll(async () => {
    ca = await makeCa();
    caPath = scratch.write('ca.pem', ca.pem);
    good = await makeLeaf(ca, 'good.example.test');
    revoked = await makeLeaf(ca, 'revoked.example.test');
  });

  it('an empty base CRL has no revokedCertificates, verifies, and carries AKI, number and freshest CRL', async () => {
    const der = await buildCrl(spec(ca, { crlNumber: 7, freshestCrlUrls: ['http://crl.example.test/ca+.crl'] }), []);
    const text = crlText(der, 'empty.crl');
    expect(text).toContain('No Revoked Certificates.');
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*7\n/);
    expect(text).toMatch(/X509v3 Authority Key Identifier:\s*\n\s*(keyid:)?[0-9A-F:]+/);
    expect(text).toMatch(/X509v3 Freshest CRL:\s*\n\s*\n?\s*Full Name:\s*\n\s*URI:http:\/\/crl\.example\.test\/ca\+\.crl/);
    expect(text).toContain('Version 2 (0x1)');
    const v = run('openssl', ['crl', '-inform', 'DER', '-in', scratch.path('empty.crl'), '-CAfile', caPath, '-noout']);
    expect(v.out).toMatch(/verify OK/);
    const ok = run('openssl', ['verify', '-crl_check', '-CAfile', caPath, '-CRLfile', scratch.write('empty.pem', toPem(der, 'X509 CRL')), revoked.path]);
    expect(ok.out).toContain(': OK');
  });

  it('a revoked certificate: openssl and certtool both refuse it, and accept the other one', async () => {
    const der = await buildCrl(spec(ca, { crlNumber: 8 }), [
      { serialHex: revoked.serialHex, revocationDate: NOW, reason: 1, invalidityDate: new Date(NOW.getTime() - DAY) },
      { serialHex: randomSerialHex(), revocationDate: NOW, reason: 6 },
    ]);
    const crlPem = scratch.write('base.pem', toPem(der, 'X509 CRL'));
    const text = crlText(der, 'base.crl');
    expect(text).toContain(`Serial Number: ${revoked.serialHex.toUpperCase()}`);
    expect(text).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Key Compromise/);
    expect(text).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Certificate Hold/);
    expect(text).toMatch(/Invalidity Date:\s*\n\s*\w+ +\d+ \d\d:\d\d:\d\d \d{4} GMT/);

    const bad = run('openssl', ['verify', '-crl_check', '-CAfile', caPath, '-CRLfile', crlPem, revoked.path]);
    expect(bad.out).toContain('certificate revoked');
    expect(bad.status).not.toBe(0);
    expect(run('openssl', ['verify', '-crl_check', '-CAfile', caPath, '-CRLfile', crlPem, good.path]).out).toContain(': OK');

    const gBad = run('certtool', ['--verify', '--load-ca-certificate', caPath, '--load-crl', crlPem, '--infile', revoked.path]);
    expect(gBad.out).toMatch(/revoked/i);
    expect(gBad.out).not.toMatch(/Chain verification output: Verified/);
    const gOk = run('certtool', ['--verify', '--load-ca-certificate', caPath, '--load-crl', crlPem, '--infile', good.path]);
    expect(gOk.out).toMatch(/Chain verification output: Verified/);
    expect(run('certtool', ['--crl-info', '--inder', '--infile', scratch.path('base.crl')]).out).toMatch(/Revoked certificates \(2\)/);
  });

  it('a delta CRL carries a critical delta indicator pointing at its base, and removeFromCRL', async () => {
    const der = await buildCrl(spec(ca, { crlNumber: 9, deltaOf: 8 }), [
      { serialHex: revoked.serialHex, revocationDate: NOW, reason: 8 },
    ]);
    const text = crlText(der, 'delta.crl');
    expect(text).toMatch(/X509v3 Delta CRL Indicator: critical\s*\n\s*8\n/);
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*9\n/);
    expect(text).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Remove From CRL/);
    expect(text).not.toContain('Freshest CRL');
    expect(run('openssl', ['crl', '-inform', 'DER', '-in', scratch.path('delta.crl'), '-CAfile', caPath, '-noout']).out).toMatch(/verify OK/);
  });

  it('python cryptography (a strict parser) reads the same entries', async () => {
    const der = await buildCrl(spec(ca, { crlNumber: 10 }), [{ serialHex: '00ff', revocationDate: NOW, reason: 4 }]);
    const script = [
      'import sys',
      'from cryptography import x509',
      'crl = x509.load_der_x509_crl(open(sys.argv[1], "rb").read())',
      'e = list(crl)[0]',
      'print(hex(e.serial_number), e.extensions.get_extension_for_class(x509.CRLReason).value.reason.name, crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)',
    ].join('\n');
    expect(must('python3', ['-c', script, scratch.write('py.crl', der)]).trim()).toBe('0xff superseded 10');
  });

  it.each<CaKeyAlgorithm>(['ecdsa-p384', 'rsa-2048'])('ok/signed with %s', async (alg) => {
    const other = await makeCa(alg);
    const der = await buildCrl(spec(other, { crlNumber: 2n ** 100n }), [{ serialHex: '7f', revocationDate: NOW }]);
    const p = scratch.write(`${alg}.crl`, der);
    const r = run('openssl', ['crl', '-inform', 'DER', '-in', p, '-CAfile', scratch.write(`${alg}.pem`, other.pem), '-noout', '-text']);
    expect(r.out).toMatch(/verify OK/);
    // 2^100: openssl prints CRL numbers in decimal.
    expect(r.out).toMatch(/CRL Number:\s*\n\s*1267650600228229401496703205376\n/);
  });

  it.each<[string, () => Partial<Parameters<typeof buildCrl>[0]>]>([
    ['fail/nextUpdate before thisUpdate', () => ({ nextUpdate: new Date(NOW.getTime() - 1000) })],
    ['fail/delta not newer than its base', () => ({ crlNumber: 3, deltaOf: 3 })],
    ['fail/delta with freshest CRL', () => ({ crlNumber: 4, deltaOf: 3, freshestCrlUrls: ['http://x.test/d.crl'] })],
    ['fail/freshest CRL URL not http/ldap', () => ({ freshestCrlUrls: ['file:///etc/passwd'] })],
    ['fail/negative number', () => ({ crlNumber: -1 })],
  ])('%s', (_n, extra) => {
    expect(() => new CrlBuilder(spec(ca, extra()))).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest }));
  });

  it('refuses a signer whose key is not the CA key', async () => {
    const other = await makeCa();
    expect(() => new CrlBuilder({ ...spec(ca), signer: other.signer })).toThrow(/signer key/);
  });

  it('is usable once', async () => {
    const b = new CrlBuilder(spec(ca));
    await b.finish();
    await expect(b.finish()).rejects.toThrow(/already finished/);
    expect(() => b.add({ serialHex: '01', revocationDate: NOW })).toThrow(/already finished/);
  });

  it('20,000 entries across many chunks give one valid CRL with every serial', async () => {
    const b = new CrlBuilder(spec(ca, { crlNumber: 11 }));
    const serials: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = randomSerialHex();
      serials.push(s);
      b.add({ serialHex: s, revocationDate: NOW, reason: i % 3 === 0 ? 1 : 0 });
    }
    expect(b.count).toBe(20_000);
    const der = await b.finish();
    const p = scratch.write('big.crl', der);
    expect(run('openssl', ['crl', '-inform', 'DER', '-in', p, '-noout', '-CAfile', caPath]).out).toMatch(/verify OK/);
    const listed = must('sh', ['-c', `openssl crl -inform DER -in '${p}' -noout -text | grep 'Serial Number: '`]);
    const found = listed.trim().split('\n').map((l) => l.trim().replace('Serial Number: ', '').toLowerCase());
    expect(found).toEqual(serials);
  });
});
