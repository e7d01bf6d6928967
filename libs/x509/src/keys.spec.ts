import { ScratchDir } from '@signet/testing';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { OID } from './oids';
import { CA_KEY_ALGORITHMS, CaKeyAlgorithm, decryptPrivateKey, encryptPrivateKey, generateKeyPair, keyAlgorithmOf } from './keys';
import { createSigner } from './signer';
import { randomSerialHex } from './serial';
import { decodeAlgorithmIdentifier, encodeSignatureAlgorithm, verifySignature } from './algorithms';
import { must } from './test-tools';

const PASS = 'correct horse battery';
const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());

// RSA-3072/4096 generation is slow; they are covered by keyAlgorithmOf only through 2048.
const keys = Object.fromEntries(
  (['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as CaKeyAlgorithm[]).map((a) => [a, generateKeyPair(a)]),
) as Record<string, ReturnType<typeof generateKeyPair>>;

describe('keys', () => {
  it('lists the supported algorithms', () => {
    expect(CA_KEY_ALGORITHMS).toEqual(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']);
  });

  it.each(Object.keys(keys))('%s: generate, identify, encrypt, decrypt', (alg) => {
    const { privateKey, publicKey } = keys[alg];
    expect(keyAlgorithmOf(privateKey)).toBe(alg);
    expect(keyAlgorithmOf(publicKey)).toBe(alg);
    const pem = encryptPrivateKey(privateKey, PASS);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const back = decryptPrivateKey(pem, PASS);
    expect(back.equals(privateKey)).toBe(true);
  });

  it('writes AES-256-CBC PKCS#8 that OpenSSL can read', () => {
    const file = scratch.write('k.pem', encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS));
    const info = must('openssl', ['asn1parse', '-in', file]);
    expect(info).toContain('PBES2');
    expect(info).toContain('aes-256-cbc');
    must('openssl', ['pkey', '-in', file, '-passin', `pass:${PASS}`, '-noout']);
  });

  it('refuses short passphrases and public keys', () => {
    expect(() => encryptPrivateKey(keys['ecdsa-p256'].privateKey, 'short')).toThrow(/at least 12/);
    expect(() => encryptPrivateKey(keys['ecdsa-p256'].publicKey, PASS)).toThrow(/private key/);
  });

  it('refuses a wrong passphrase without echoing key material', () => {
    const pem = encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS);
    let message = '';
    try {
      decryptPrivateKey(pem, 'wrong passphrase!');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/wrong passphrase/);
    expect(message).not.toContain(pem.split('\n')[1].slice(0, 16));
  });

  it.each([
    ['fail/unencrypted PKCS#8', () => keys['ecdsa-p256'].privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /unencrypted/],
    ['fail/unencrypted SEC1', () => keys['ecdsa-p256'].privateKey.export({ type: 'sec1', format: 'pem' }) as string, /unencrypted/],
    ['fail/unencrypted PKCS#1', () => keys['rsa-2048'].privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, /unencrypted/],
    ['fail/a public key', () => keys['ecdsa-p256'].publicKey.export({ type: 'spki', format: 'pem' }) as string, /ENCRYPTED PRIVATE KEY/],
    ['fail/not PEM', () => 'hello', /exactly one/],
  ])('%s', (_n, pem, message) => {
    expect(() => decryptPrivateKey(pem(), PASS)).toThrow(message);
  });

  it.each([
    ['fail/P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, /P-521|secp521r1/],
    ['fail/Ed25519', () => generateKeyPairSync('ed25519').privateKey, /ed25519/],
    ['fail/RSA-1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, /RSA-1024/],
  ])('keyAlgorithmOf %s', (_n, key, message) => {
    expect(() => keyAlgorithmOf(key())).toThrow(message);
  });
});

describe('signer', () => {
  it.each<[string, string, string]>([
    ['ecdsa-p256', OID.ecdsaWithSHA256, 'sha256'],
    ['ecdsa-p384', OID.ecdsaWithSHA384, 'sha384'],
    ['rsa-2048', OID.sha256WithRSAEncryption, 'sha256'],
  ])('%s signs with %s', async (alg, oid, hash) => {
    const { privateKey, publicKey } = keys[alg];
    const signer = createSigner(privateKey);
    expect(signer.signatureAlgorithmOid).toBe(oid);
    expect(signer.spki).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
    const data = Buffer.from('to be signed');
    const sig = await signer.sign(data);
    expect(verify(hash, data, { key: publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
    expect(await verifySignature(decodeAlgorithmIdentifier(encodeSignatureAlgorithm(oid), 'alg'), signer.spki, data, sig)).toBe(true);
    expect(await verifySignature(decodeAlgorithmIdentifier(encodeSignatureAlgorithm(oid), 'alg'), signer.spki, Buffer.from('other'), sig)).toBe(false);
  });

  it('does not expose the private key', () => {
    const signer = createSigner(keys['ecdsa-p256'].privateKey);
    expect(JSON.stringify(signer)).not.toMatch(/PRIVATE|"d"/);
    expect(Object.values(signer).some((v) => typeof v === 'object' && v !== null && 'asymmetricKeyType' in v)).toBe(false);
    expect(() => createSigner(createPublicKey(keys['ecdsa-p256'].privateKey))).toThrow(/private key/);
  });

  it('uses NULL parameters for RSA and none for ECDSA', () => {
    expect(encodeSignatureAlgorithm(OID.sha256WithRSAEncryption).toString('hex')).toBe('300d06092a864886f70d01010b0500');
    expect(encodeSignatureAlgorithm(OID.ecdsaWithSHA256).toString('hex')).toBe('300a06082a8648ce3d040302');
  });
});

describe('randomSerialHex', () => {
  it('is 16 positive bytes with a non-zero first byte, lower-case hex', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const s = randomSerialHex();
      expect(s).toMatch(/^[0-7][0-9a-f]{31}$/);
      expect(s.startsWith('00')).toBe(false);
      seen.add(s);
    }
    expect(seen.size).toBe(500);
  });
});
