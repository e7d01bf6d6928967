import { generateKeyPairSync } from 'node:crypto';
import { ScratchDir } from '@signet/testing';
import { createCsr } from '../csr-create';
import { challengePasswordOf } from '../csr-challenge';
import { derSequence, tlv } from '../der';
import { fromPem } from '../pem';
import { createSelfSignedCa } from '../self-signed';
import { must } from '../test-tools';
import { certsOnlyPkcs7, readCertsOnlyPkcs7 } from './certs-only';
import { encodeCsrAttrs } from './csr-attrs';

const scratch = new ScratchDir('signet-x509-pkcs7-');
afterAll(() => scratch.remove());

async function selfSigned(cn: string): Promise<Buffer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return createSelfSignedCa({ subject: [{ type: 'CN', value: cn }], privateKey, publicKey, notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z') });
}

describe('certsOnlyPkcs7', () => {
  let a: Buffer;
  let b: Buffer;
  beforeAll(async () => {
    a = await selfSigned('Signet PKCS7 A');
    b = await selfSigned('Signet PKCS7 B');
  });

  it('ok/two certificates: openssl pkcs7 -print_certs shows both, byte for byte, in order', () => {
    const der = certsOnlyPkcs7([a, b]);
    const file = scratch.write('two.p7', der);
    const pem = must('openssl', ['pkcs7', '-inform', 'DER', '-in', file, '-print_certs']);
    const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => fromPem(m[0], 'CERTIFICATE'));
    expect(blocks.map((x) => x.toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')]);
    expect(pem).toContain('subject=CN = Signet PKCS7 A');
  });

  it('ok/the structure is the degenerate SignedData: version 1, no digests, id-data without content, no signers', () => {
    const text = must('openssl', ['asn1parse', '-inform', 'DER', '-in', scratch.write('one.p7', certsOnlyPkcs7([a]))]);
    // The outline down to the certificates: the id-data content info holds no eContent, and the SETs are empty.
    const outline = text.split('\n').map((l) => l.replace(/^\s*\d+:/, '').replace(/hl=\d+ l= *\d+ /, '').replace(/\s+/g, ' ').trim());
    expect(outline.slice(0, 9)).toEqual([
      'd=0 cons: SEQUENCE',
      'd=1 prim: OBJECT :pkcs7-signedData',
      'd=1 cons: cont [ 0 ]',
      'd=2 cons: SEQUENCE',
      'd=3 prim: INTEGER :01',
      'd=3 cons: SET',
      'd=3 cons: SEQUENCE',
      'd=4 prim: OBJECT :pkcs7-data',
      'd=3 cons: cont [ 0 ]',
    ]);
    expect(text).toMatch(/d=3 {2}hl=2 l= {3}0 cons: SET\s*$/);
    expect(readCertsOnlyPkcs7(certsOnlyPkcs7([a]))).toEqual([a]);
  });

  it('ok/reads back what it wrote', () => {
    expect(readCertsOnlyPkcs7(certsOnlyPkcs7([b, a]))).toEqual([b, a]);
  });

  it('fail/no certificate, or something that is not one', () => {
    expect(() => certsOnlyPkcs7([])).toThrow('at least one certificate');
    expect(() => certsOnlyPkcs7([Buffer.from('3003020101', 'hex')])).toThrow();
  });

  it.each<[string, Buffer]>([
    ['fail/empty', Buffer.alloc(0)],
    ['fail/not DER', Buffer.from('hello')],
    ['fail/a bare SEQUENCE', derSequence([tlv(0x02, Buffer.from([1]))])],
    ['fail/trailing bytes', Buffer.concat([Buffer.from('3000', 'hex'), Buffer.from([0])])],
  ])('%s: readCertsOnlyPkcs7 refuses with MALFORMED_REQUEST', (_n, der) => {
    expect(() => readCertsOnlyPkcs7(der)).toThrow(expect.objectContaining({ code: 'MALFORMED_REQUEST' }));
  });
});

describe('challengePasswordOf', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('ok/absent: undefined', async () => {
    expect(challengePasswordOf(await createCsr({ subject: [{ type: 'CN', value: 'x' }], sans: [], privateKey }))).toBeUndefined();
  });

  it('ok/written by createCsr and by openssl req', async () => {
    const der = await createCsr({ subject: [{ type: 'CN', value: 'x' }], sans: [{ type: 'dns', value: 'x.example.com' }], privateKey, challengePassword: 'AbC+/=' });
    expect(challengePasswordOf(der)).toBe('AbC+/=');
    const key = scratch.write('k.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const conf = scratch.write('req.cnf', '[req]\nprompt=no\ndistinguished_name=dn\nattributes=attrs\n[dn]\nCN=x\n[attrs]\nchallengePassword=hello-there\n');
    const pem = must('openssl', ['req', '-new', '-key', key, '-config', conf]);
    expect(challengePasswordOf(fromPem(pem, 'CERTIFICATE REQUEST'))).toBe('hello-there');
  });

  it('fail/not a request: MALFORMED_REQUEST', () => {
    expect(() => challengePasswordOf(Buffer.from('3000', 'hex'))).toThrow(expect.objectContaining({ code: 'MALFORMED_REQUEST' }));
  });
});

describe('encodeCsrAttrs', () => {
  it('ok/a SEQUENCE of the OIDs, as openssl reads it', () => {
    const der = encodeCsrAttrs(['1.2.840.113549.1.9.7', '1.2.840.10045.4.3.2']);
    expect(der.toString('hex')).toBe('3015' + '06092a864886f70d010907' + '06082a8648ce3d040302');
    const text = must('openssl', ['asn1parse', '-inform', 'DER', '-in', scratch.write('attrs.der', der)]);
    expect(text).toContain(':challengePassword');
    expect(text).toContain(':ecdsa-with-SHA256');
    expect(encodeCsrAttrs([]).toString('hex')).toBe('3000');
  });
});
