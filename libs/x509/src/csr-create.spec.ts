import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto';
import type { San } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { OID } from './oids';
import { createCsr } from './csr-create';
import { parseCsr } from './csr';
import { decodeSubjectAltName } from './extensions';
import { toPem } from './pem';
import { must, run } from './test-tools';

const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());

const LOCALHOST: San[] = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
];

describe('createCsr', () => {
  it.each<[string, () => KeyPairKeyObjectResult, { algorithm: string; bits: number; curve?: string }, string]>([
    ['ok/P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), { algorithm: 'ec', bits: 256, curve: 'P-256' }, OID.ecdsaWithSHA256],
    ['ok/P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), { algorithm: 'ec', bits: 384, curve: 'P-384' }, OID.ecdsaWithSHA384],
    ['ok/RSA-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), { algorithm: 'rsa', bits: 2048 }, OID.sha256WithRSAEncryption],
  ])('%s: our parser and openssl read back what was asked, and the signature verifies', async (_n, keyPair, publicKey, sigAlg) => {
    const { privateKey, publicKey: pub } = keyPair();
    const der = await createCsr({ subject: [{ type: 'CN', value: 'localhost' }], sans: LOCALHOST, privateKey });

    const csr = await parseCsr(der);
    expect(csr.subject).toEqual([{ type: 'CN', value: 'localhost' }]);
    expect(csr.subjectAltNames).toEqual(LOCALHOST);
    expect(csr.publicKey).toMatchObject(publicKey);
    expect(csr.signatureAlgorithm).toBe(sigAlg);
    expect(csr.spki.equals(pub.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(csr.extensions).toEqual([{ oid: OID.subjectAltName, critical: false, value: expect.any(String) }]);

    const file = scratch.write(`${publicKey.algorithm}-${publicKey.bits}.csr`, toPem(der, 'CERTIFICATE REQUEST'));
    const r = run('openssl', ['req', '-in', file, '-noout', '-verify', '-text']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/verify OK|Certificate request self-signature verify OK/);
    expect(r.out).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
  });

  it('ok/an empty subject makes the requested SAN critical', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = await parseCsr(await createCsr({ subject: [], sans: [{ type: 'ip', value: '127.0.0.1' }], privateKey }));
    expect(csr.subject).toEqual([]);
    expect(csr.extensions).toHaveLength(1);
    expect(csr.extensions[0]).toMatchObject({ oid: OID.subjectAltName, critical: true });
    expect(decodeSubjectAltName(Buffer.from(csr.extensions[0].value, 'base64'))).toEqual([{ type: 'ip', value: '127.0.0.1' }]);
  });

  it('ok/no names: no extensionRequest at all', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = await createCsr({ subject: [{ type: 'CN', value: 'Alice' }], sans: [], privateKey });
    expect((await parseCsr(der)).extensions).toEqual([]);
    must('openssl', ['req', '-inform', 'DER', '-in', scratch.write('plain.der', der), '-noout', '-verify']);
  });

  it.each<[string, () => Parameters<typeof createCsr>[0], RegExp]>([
    ['fail/neither subject nor names', () => ({ subject: [], sans: [], privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }), /needs a subject or at least one name/],
    ['fail/a public key', () => ({ subject: [{ type: 'CN', value: 'x' }], sans: [], privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey }), /private key/],
    ['fail/an unsupported curve', () => ({ subject: [{ type: 'CN', value: 'x' }], sans: [], privateKey: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey }), /P-521|secp521r1/],
    ['fail/an IP that is not one', () => ({ subject: [], sans: [{ type: 'ip', value: '127.0.0' }], privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }), /not an IPv4 or IPv6 address/],
  ])('%s', async (_n, opts, error) => {
    await expect(createCsr(opts())).rejects.toThrow(error);
  });
});
