import { ScratchDir } from '@signet/testing';
import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { OID } from './oids';
import { CA_KEY_ALGORITHMS, CaKeyAlgorithm, decryptPrivateKey, encryptPrivateKey, generateKeyPair, keyAlgorithmOf } from './keys';
import { describeKeyEncryption, isCurrentKeyEncryption, KEY_ENCRYPTION, keyEncryptionOf } from './encrypted-private-key';
import { createSigner } from './signer';
import { randomSerialHex } from './serial';
import { decodeAlgorithmIdentifier, encodeSignatureAlgorithm, verifySignature } from './algorithms';
import { must } from './test-tools';

const PASS = 'correct horse battery';
/** A low scrypt cost for the cases that are not about the cost. */
const CHEAP = { N: 1024, r: 8, p: 1 };
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

  it('writes PBES2 PKCS#8 with scrypt (N=2^14, r=8, p=5) and AES-256-CBC that OpenSSL can read', () => {
    expect(KEY_ENCRYPTION).toEqual({ N: 16384, r: 8, p: 5 });
    const pem = encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS);
    const file = scratch.write('k.pem', pem);
    const info = must('openssl', ['asn1parse', '-in', file]);
    expect(info).toMatch(/:PBES2\n/);
    expect(info).toMatch(/:scrypt\n[^\n]*cons: SEQUENCE[^\n]*\n[^\n]*OCTET STRING[^\n]*\n[^\n]*INTEGER +:4000\n[^\n]*INTEGER +:08\n[^\n]*INTEGER +:05\n/);
    expect(info).toContain(':aes-256-cbc');
    expect(info).not.toContain('PBKDF2');
    expect(keyEncryptionOf(pem)).toEqual({ kdf: 'scrypt', N: 16384, r: 8, p: 5, cipher: 'aes-256-cbc' });
    expect(isCurrentKeyEncryption(keyEncryptionOf(pem))).toBe(true);
    const clear = must('openssl', ['pkey', '-in', file, '-passin', `pass:${PASS}`]);
    expect(createPrivateKey(clear).equals(keys['ecdsa-p256'].privateKey)).toBe(true);
  });

  it('salts every encryption afresh', () => {
    const a = encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS, CHEAP);
    const b = encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS, CHEAP);
    expect(a).not.toBe(b);
  });

  it('still opens keys in the format written before scrypt (PBKDF2-HMAC-SHA256, 2,048 iterations) and says they need re-wrapping', () => {
    // What encryptPrivateKey wrote before: Node's export with OpenSSL's PBES2 defaults.
    const old = keys['rsa-2048'].privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }) as string;
    const info = keyEncryptionOf(old);
    expect(info).toEqual({ kdf: 'pbkdf2', iterations: 2048, prf: 'hmacWithSHA256', cipher: 'aes-256-cbc' });
    expect(describeKeyEncryption(info)).toBe('PBKDF2 (hmacWithSHA256, 2048 iterations) with aes-256-cbc');
    expect(isCurrentKeyEncryption(info)).toBe(false);
    expect(decryptPrivateKey(old, PASS).equals(keys['rsa-2048'].privateKey)).toBe(true);
    expect(() => decryptPrivateKey(old, 'wrong passphrase!')).toThrow(/wrong passphrase/);
  });

  it('reads the parameters of keys OpenSSL wrote (scrypt, PBKDF2 with its default PRF, PBES1)', () => {
    const clear = scratch.write('clear.pem', keys['ecdsa-p256'].privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const topk8 = (name: string, args: string[]) => {
      must('openssl', ['pkcs8', '-topk8', '-in', clear, '-out', scratch.path(name), '-passout', `pass:${PASS}`, ...args]);
      return keyEncryptionOf(scratch.read(name));
    };
    expect(topk8('s.pem', ['-scrypt', '-scrypt_N', '1024', '-scrypt_r', '8', '-scrypt_p', '2'])).toEqual({ kdf: 'scrypt', N: 1024, r: 8, p: 2, cipher: 'aes-256-cbc' });
    expect(topk8('p.pem', ['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1', '-iter', '1000'])).toEqual({ kdf: 'pbkdf2', iterations: 1000, prf: 'hmacWithSHA1', cipher: 'aes-128-cbc' });
    expect(topk8('p1.pem', ['-v1', 'PBE-SHA1-3DES'])).toEqual({ kdf: 'other', algorithm: '1.2.840.113549.1.12.1.3' });
    expect(() => keyEncryptionOf(keys['ecdsa-p256'].privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(/ENCRYPTED PRIVATE KEY/);
  });

  it('writes other scrypt parameters when asked (tests use a cheap cost), and records them in the key', () => {
    const pem = encryptPrivateKey(keys['ecdsa-p384'].privateKey, PASS, CHEAP);
    expect(keyEncryptionOf(pem)).toEqual({ kdf: 'scrypt', ...CHEAP, cipher: 'aes-256-cbc' });
    expect(isCurrentKeyEncryption(keyEncryptionOf(pem))).toBe(false);
    expect(isCurrentKeyEncryption(keyEncryptionOf(pem), CHEAP)).toBe(true);
    expect(decryptPrivateKey(pem, PASS).equals(keys['ecdsa-p384'].privateKey)).toBe(true);
  });

  it('derives from the UTF-8 bytes of the passphrase, as OpenSSL does', () => {
    const pass = 'pässphrase-ümläut-✓';
    const file = scratch.write('utf8.pem', encryptPrivateKey(keys['ecdsa-p256'].privateKey, pass, CHEAP));
    expect(createPrivateKey(must('openssl', ['pkey', '-in', file, '-passin', `pass:${pass}`])).equals(keys['ecdsa-p256'].privateKey)).toBe(true);
    expect(decryptPrivateKey(scratch.read('utf8.pem'), pass).equals(keys['ecdsa-p256'].privateKey)).toBe(true);
  });

  it.each([
    ['fail/N not a power of two', { N: 1000, r: 8, p: 1 }, /power of two/],
    ['fail/p zero', { N: 1024, r: 8, p: 0 }, /positive integers/],
    // OpenSSL refuses to read (and to write) PKCS#8 scrypt keys needing more than 32 MiB, so this key could never be opened.
    ['fail/N=2^15 with r=8 (just over 32 MiB)', { N: 2 ** 15, r: 8, p: 1 }, /32 MiB/],
    ['fail/N=2^17, r=8, p=1 (128 MiB)', { N: 2 ** 17, r: 8, p: 1 }, /32 MiB/],
  ])('encryptPrivateKey %s', (_n, params, message) => {
    expect(() => encryptPrivateKey(keys['ecdsa-p256'].privateKey, PASS, params)).toThrow(message);
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
