import type { San } from '@signet/contracts';
import { ErrorCode, LIMITS } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { OID } from './oids';
import { parseCsr } from './csr';
import { decodeRequestText } from './pem';
import { decodeExtKeyUsage } from './extensions';
import { must } from './test-tools';

const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());

let rsaKey: string;
beforeAll(() => {
  // One RSA key for every RSA request in this file: key generation is the slow part.
  rsaKey = scratch.path('rsa.key');
  must('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsaKey]);
});

let n = 0;
/** A DER CSR from `openssl req`; `keyArgs` chooses or creates the key. */
function opensslCsr(keyArgs: string[], extra: string[] = [], subj = '/C=DE/O=Signet Test/CN=host.example.com'): Buffer {
  const out = scratch.path(`req${++n}.der`);
  must('openssl', ['req', '-new', ...keyArgs, '-subj', subj, '-outform', 'DER', '-out', out, ...extra]);
  return scratch.readBytes(`req${n}.der`);
}
const newKey = (...pkeyopt: string[]) => {
  const k = scratch.path(`k${n + 1}.key`);
  return ['-newkey', pkeyopt[0], ...pkeyopt.slice(1).flatMap((o) => ['-pkeyopt', o]), '-nodes', '-keyout', k];
};

const SAN_ARGS = ['-addext', 'subjectAltName=DNS:host.example.com,DNS:*.example.org,IP:192.0.2.1,email:a@example.com'];
const SANS: San[] = [
  { type: 'dns', value: 'host.example.com' },
  { type: 'dns', value: '*.example.org' },
  { type: 'ip', value: '192.0.2.1' },
  { type: 'email', value: 'a@example.com' },
];

describe('parseCsr with OpenSSL requests', () => {
  it.each<[string, () => string[], string[], { algorithm: string; bits: number; curve?: string }, string]>([
    ['ok/P-256 SHA-256', () => newKey('ec', 'ec_paramgen_curve:P-256'), ['-sha256'], { algorithm: 'ec', bits: 256, curve: 'P-256' }, OID.ecdsaWithSHA256],
    ['ok/P-384 SHA-384', () => newKey('ec', 'ec_paramgen_curve:P-384'), ['-sha384'], { algorithm: 'ec', bits: 384, curve: 'P-384' }, OID.ecdsaWithSHA384],
    ['ok/P-521 SHA-512', () => newKey('ec', 'ec_paramgen_curve:P-521'), ['-sha512'], { algorithm: 'ec', bits: 521, curve: 'P-521' }, OID.ecdsaWithSHA512],
    ['ok/RSA SHA-256', () => ['-key', rsaKey], ['-sha256'], { algorithm: 'rsa', bits: 2048 }, OID.sha256WithRSAEncryption],
    ['ok/RSA SHA-384', () => ['-key', rsaKey], ['-sha384'], { algorithm: 'rsa', bits: 2048 }, OID.sha384WithRSAEncryption],
    ['ok/RSA SHA-512', () => ['-key', rsaKey], ['-sha512'], { algorithm: 'rsa', bits: 2048 }, OID.sha512WithRSAEncryption],
    [
      'ok/RSA-PSS SHA-256',
      () => ['-key', rsaKey],
      ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256'],
      { algorithm: 'rsa', bits: 2048 },
      OID.rsassaPss,
    ],
    ['ok/Ed25519', () => newKey('ed25519'), [], { algorithm: 'ed25519', bits: 256 }, OID.ed25519],
  ])('%s', async (_name, key, extra, publicKey, sigAlg) => {
    const der = opensslCsr(key(), [...extra, ...SAN_ARGS, '-addext', 'extendedKeyUsage=serverAuth']);
    const csr = await parseCsr(der);
    expect(csr.subject).toEqual([
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'Signet Test' },
      { type: 'CN', value: 'host.example.com' },
    ]);
    expect(csr.subjectAltNames).toEqual(SANS);
    expect(csr.publicKey).toMatchObject(publicKey);
    expect(csr.publicKey.spkiSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(csr.signatureAlgorithm).toBe(sigAlg);
    expect(csr.der.equals(der)).toBe(true);
    const eku = csr.extensions.find((e) => e.oid === OID.extKeyUsage);
    expect(eku && decodeExtKeyUsage(Buffer.from(eku.value, 'base64'))).toEqual([OID.serverAuth]);
    // The SPKI is the one OpenSSL sees in the request.
    const pub = must('openssl', ['req', '-inform', 'DER', '-noout', '-pubkey'], der);
    expect(csr.spki.equals(Buffer.from(pub.replace(/-----[^-]+-----|\s/g, ''), 'base64'))).toBe(true);
  });

  it('accepts a request without extensions and an empty subject', async () => {
    const csr = await parseCsr(opensslCsr(newKey('ec', 'ec_paramgen_curve:P-256'), [], '/'));
    expect(csr.subject).toEqual([]);
    expect(csr.extensions).toEqual([]);
    expect(csr.subjectAltNames).toEqual([]);
  });

  describe('rejections', () => {
    let ec: Buffer;
    let rsa: Buffer;
    beforeAll(() => {
      ec = opensslCsr(newKey('ec', 'ec_paramgen_curve:P-256'), SAN_ARGS);
      rsa = opensslCsr(['-key', rsaKey], ['-sha256']);
    });
    const flip = (der: Buffer, at: number) => {
      const c = Buffer.from(der);
      c[at < 0 ? c.length + at : at] ^= 0x01;
      return c;
    };
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => e.code as string);

    it.each<[string, () => Buffer, string]>([
      ['fail/EC signature byte flipped', () => flip(ec, -3), ErrorCode.BadSignature],
      ['fail/RSA signature byte flipped', () => flip(rsa, -1), ErrorCode.BadSignature],
      // Byte 40 is inside the subject: the request was changed after signing.
      ['fail/RSA subject changed after signing', () => flip(rsa, 40), ErrorCode.BadSignature],
      ['fail/garbage', () => Buffer.from('hello, this is not a certificate request'), ErrorCode.MalformedRequest],
      ['fail/empty', () => Buffer.alloc(0), ErrorCode.MalformedRequest],
      ['fail/truncated', () => ec.subarray(0, ec.length - 10), ErrorCode.MalformedRequest],
      ['fail/trailing byte', () => Buffer.concat([ec, Buffer.from([0])]), ErrorCode.MalformedRequest],
      ['fail/just a SEQUENCE', () => Buffer.from('3003020100', 'hex'), ErrorCode.MalformedRequest],
      ['fail/too large', () => Buffer.alloc(LIMITS.requestChars + 1, 0x30), ErrorCode.TooLarge],
    ])('%s', async (_n, input, expected) => {
      expect(await code(parseCsr(input()))).toBe(expected);
    });

    it('names an unsupported signature algorithm', async () => {
      const der = opensslCsr(['-key', rsaKey], ['-sha224']);
      await expect(parseCsr(der)).rejects.toMatchObject({ code: ErrorCode.MalformedRequest, message: expect.stringContaining('1.2.840.113549.1.1.14') });
    });
  });
});

describe('decodeRequestText', () => {
  let der: Buffer;
  beforeAll(() => {
    der = opensslCsr(['-key', rsaKey]);
  });
  const b64 = () => der.toString('base64');

  it.each<[string, () => string]>([
    ['ok/PEM', () => `-----BEGIN CERTIFICATE REQUEST-----\n${b64().replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`],
    ['ok/NEW CERTIFICATE REQUEST with CRLF', () => `-----BEGIN NEW CERTIFICATE REQUEST-----\r\n${b64().replace(/(.{76})/g, '$1\r\n')}\r\n-----END NEW CERTIFICATE REQUEST-----\r\n`],
    ['ok/bare base64', () => b64()],
    ['ok/bare base64 with whitespace', () => `  ${b64().replace(/(.{64})/g, '$1\n')}\n`],
  ])('%s', (_n, text) => {
    expect(decodeRequestText(text()).equals(der)).toBe(true);
  });

  it.each<[string, () => string, string]>([
    ['fail/empty', () => '', ErrorCode.MalformedRequest],
    ['fail/not base64', () => 'this is not base64!', ErrorCode.MalformedRequest],
    ['fail/wrong label', () => `-----BEGIN CERTIFICATE-----\n${b64()}\n-----END CERTIFICATE-----\n`, ErrorCode.MalformedRequest],
    ['fail/two blocks', () => `-----BEGIN CERTIFICATE REQUEST-----\n${b64()}\n-----END CERTIFICATE REQUEST-----\n`.repeat(2), ErrorCode.MalformedRequest],
    ['fail/unterminated PEM', () => `-----BEGIN CERTIFICATE REQUEST-----\n${b64()}\n`, ErrorCode.MalformedRequest],
    ['fail/bad padding', () => 'QUJD=', ErrorCode.MalformedRequest],
    ['fail/too long', () => 'A'.repeat(LIMITS.requestChars + 4), ErrorCode.TooLarge],
  ])('%s', (_n, text, expected) => {
    expect(() => decodeRequestText(text())).toThrow(expect.objectContaining({ code: expected }));
  });
});
