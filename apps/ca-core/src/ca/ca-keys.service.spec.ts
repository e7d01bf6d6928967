import { Logger } from '@nestjs/common';
import { ScratchDir } from '@signet/testing';
import { decryptPrivateKey, fromPem, generateKeyPair, keyEncryptionOf, parseCertificate, toPem } from '@signet/x509';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type CaConfig } from '../config/ca-config';
import { openDatabase } from '../database/data-source';
import { createTestDatabase, randomHex, TEST_PASSPHRASE, testCaName, testConfig, type TestDatabase } from '../testing/infra';
import { openssl, tryOpenssl } from '../testing/openssl';
import { CaKeysService } from './ca-keys.service';

// Real PostgreSQL (one throw-away database for the file, one CA name per case);
// OpenSSL judges the certificates and keys ca-core produces.

interface CaRowText {
  name: string;
  encrypted_key: string;
  key_algorithm: string;
  source: string;
  n_chain: number;
  row_text: string;
}

describe('CaKeysService (real PostgreSQL, OpenSSL as judge)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const replicas: DataSource[] = [];
  const w = new ScratchDir();

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    ds = await openDatabase(db.url);
  });

  afterAll(async () => {
    await Promise.all([ds, ...replicas].map((d) => d?.isInitialized && d.destroy()));
    await db?.drop();
    w.remove();
  });

  /** Another ca-core replica: its own connection pool on the same database. */
  async function replicaDs(): Promise<DataSource> {
    const r = await openDatabase(db.url);
    replicas.push(r);
    return r;
  }

  async function caRow(name: string): Promise<CaRowText | undefined> {
    const rows: CaRowText[] = await ds.query(
      `SELECT name, encrypted_key, key_algorithm, source, cardinality(chain)::int AS n_chain, row_to_json(ca)::text AS row_text FROM ca WHERE name = $1`,
      [name],
    );
    return rows[0];
  }

  async function caRowCount(name: string): Promise<number> {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM ca WHERE name = $1`, [name]);
    return n;
  }

  function config(caName: string, env: Record<string, string> = {}): CaConfig {
    return testConfig(caName, db.url, { SIGNET_CA_SUBJECT: 'O=Signet Tests,CN=Signet Test CA', ...env });
  }

  /** Captures everything Nest's logger (and anything else) writes while `fn` runs. */
  async function captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; output: string }> {
    Logger.overrideLogger(['log', 'warn', 'error']);
    const chunks: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    try {
      return { value: await fn(), output: chunks.join('') };
    } finally {
      out.mockRestore();
      err.mockRestore();
      Logger.overrideLogger(['error']);
    }
  }

  describe('generating a CA on an empty database', () => {
    const caName = testCaName('keys');
    let svc: CaKeysService;
    let output: string;

    beforeAll(async () => {
      svc = new CaKeysService(config(caName, { SIGNET_CA_VALIDITY_DAYS: '30' }), ds);
      ({ output } = await captureOutput(() => svc.load()));
    });

    it('creates a P-256 CA by default and stores one row for it', async () => {
      expect(svc.ca.keyAlgorithm).toBe('ecdsa-p256');
      expect(svc.ca.selfSigned).toBe(true);
      expect(svc.ca.chainPem).toEqual([]);
      expect(svc.ca.commonName).toBe('Signet Test CA');
      expect(svc.ca.name).toBe(caName);
      expect(svc.ca.notAfter.getTime() - svc.ca.notBefore.getTime()).toBe(30 * 86_400_000);
      // The signer holds the key of the certificate.
      expect(svc.ca.signer.spki.equals(svc.ca.spki)).toBe(true);
      const row = await caRow(caName);
      expect(row).toMatchObject({ key_algorithm: 'ecdsa-p256', source: 'generated', n_chain: 0 });
      expect(await caRowCount(caName)).toBe(1);
    });

    it('stores the key only as encrypted PKCS#8 (PBES2: scrypt N=2^14, r=8, p=5 and AES-256-CBC, ADR 0024) under the passphrase', async () => {
      const row = (await caRow(caName))!;
      expect(row.encrypted_key.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
      expect(row.row_text).not.toMatch(/-----BEGIN (EC |RSA )?PRIVATE KEY-----/);
      expect(keyEncryptionOf(row.encrypted_key)).toEqual({ kdf: 'scrypt', N: 16384, r: 8, p: 5, cipher: 'aes-256-cbc' });

      const enc = w.write(`${caName}.enc.pem`, row.encrypted_key);
      const structure = openssl(['asn1parse', '-in', enc]);
      expect(structure).toMatch(/PBES2/);
      expect(structure).toMatch(/:scrypt/);
      expect(structure).toMatch(/aes-256-cbc/);
      // OpenSSL can open it with the passphrase (emergency access) and not without it.
      const clearPem = openssl(['pkey', '-in', enc, '-passin', `pass:${TEST_PASSPHRASE}`]);
      expect(clearPem).toMatch(/BEGIN PRIVATE KEY/);
      expect(tryOpenssl(['pkey', '-in', enc, '-passin', 'pass:not-the-passphrase']).status).not.toBe(0);

      // The key in clear appears nowhere in the row: not as PKCS#8 DER, not as the raw scalar.
      const clearDer = fromPem(clearPem, 'PRIVATE KEY');
      const scalar = Buffer.from(createPrivateKey(clearPem).export({ format: 'jwk' }).d!, 'base64url');
      for (const secret of [clearDer, scalar]) {
        expect(row.row_text).not.toContain(secret.toString('hex'));
        expect(row.row_text).not.toContain(secret.toString('base64'));
      }
      // The key in the row belongs to the certificate.
      const certPath = w.write(`${caName}.pem`, svc.ca.certificatePem);
      expect(openssl(['pkey', '-in', enc, '-passin', `pass:${TEST_PASSPHRASE}`, '-pubout'])).toBe(openssl(['x509', '-in', certPath, '-noout', '-pubkey']));
    });

    it('never logs the passphrase or the key', () => {
      expect(output).toContain(caName);
      expect(output).not.toContain(TEST_PASSPHRASE);
      expect(output).not.toMatch(/PRIVATE KEY/);
    });

    it('produces a certificate that OpenSSL accepts as a strict X.509 CA', () => {
      const pem = w.write(`${caName}-ca.pem`, svc.ca.certificatePem);
      const verify = tryOpenssl(['verify', '-x509_strict', '-CAfile', pem, pem]);
      expect(`${verify.stdout}${verify.stderr}`).toContain(': OK');
      expect(verify.status).toBe(0);
      const text = openssl(['x509', '-in', pem, '-noout', '-text']);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+.*Certificate Sign/);
      expect(text).toMatch(/X509v3 Subject Key Identifier/);
      expect(text).toMatch(/ASN1 OID: prime256v1/);
      expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
      // Configured most significant first: O above CN (RFC 2253 prints it reversed).
      expect(openssl(['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'RFC2253']).trim()).toBe('subject=CN=Signet Test CA,O=Signet Tests');
    });

    it('lets a second replica load the same CA instead of making another', async () => {
      const before = (await caRow(caName))!;
      const other = new CaKeysService(config(caName), await replicaDs());
      await other.load();
      expect(other.ca.certificateDer.equals(svc.ca.certificateDer)).toBe(true);
      expect(other.ca.signer.spki.equals(svc.ca.spki)).toBe(true);
      expect(await caRowCount(caName)).toBe(1);
      expect((await caRow(caName))!.row_text).toBe(before.row_text);
    });

    it('refuses a wrong passphrase with a clear message that contains no passphrase', async () => {
      const wrong = 'a-wrong-passphrase-4711';
      const before = (await caRow(caName))!;
      const svc2 = new CaKeysService(config(caName, { SIGNET_CA_KEY_PASSPHRASE: wrong }), ds);
      const err: Error = await svc2.load().then(
        () => {
          throw new Error('a wrong passphrase was accepted');
        },
        (e: Error) => e,
      );
      expect(err.message).toMatch(new RegExp(`cannot decrypt the CA key of ${caName}: .*wrong passphrase.*another passphrase: give that one \\(SIGNET_CA_KEY_PASSPHRASE`));
      expect(err.message).not.toContain(wrong);
      expect(err.message).not.toContain(TEST_PASSPHRASE);
      expect(() => svc2.ca).toThrow(/not loaded/);
      // Nothing was regenerated over the existing CA.
      expect(await caRowCount(caName)).toBe(1);
      expect((await caRow(caName))!.row_text).toBe(before.row_text);
    });
  });

  describe('keys stored in the format before ADR 0024 (PBKDF2-HMAC-SHA256, 2,048 iterations)', () => {
    /** What encryptPrivateKey wrote before: Node's export with OpenSSL's PBES2 defaults. */
    const oldFormat = (key: KeyObject, passphrase = TEST_PASSPHRASE) => key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
    const NEW_FORMAT = { kdf: 'scrypt', N: 16384, r: 8, p: 5, cipher: 'aes-256-cbc' };
    const OLD_FORMAT = { kdf: 'pbkdf2', iterations: 2048, prf: 'hmacWithSHA256', cipher: 'aes-256-cbc' };

    /** A CA as an older ca-core left it: its key and two delegated OCSP responder keys (one expired) in the old format. */
    async function oldCa(prefix: string): Promise<{ caName: string; caKey: KeyObject; signerKeys: Map<string, KeyObject> }> {
      const caName = testCaName(prefix);
      await new CaKeysService(config(caName), ds).load();
      const caKey = decryptPrivateKey((await caRow(caName))!.encrypted_key, TEST_PASSPHRASE);
      await ds.query(`UPDATE ca SET encrypted_key = $2 WHERE name = $1`, [caName, oldFormat(caKey)]);
      const signerKeys = new Map<string, KeyObject>();
      for (const [serial, notAfter] of [['0a01', '2020-01-01T00:00:00Z'], ['0a02', '2099-01-01T00:00:00Z']]) {
        const key = generateKeyPair('ecdsa-p256').privateKey;
        signerKeys.set(serial, key);
        await ds.query(
          `INSERT INTO ocsp_signer (ca_name, serial, certificate, encrypted_key, key_algorithm, not_before, not_after) VALUES ($1, $2, '\\x00', $3, 'ecdsa-p256', '2019-01-01T00:00:00Z', $4)`,
          [caName, serial, oldFormat(key), notAfter],
        );
      }
      expect(keyEncryptionOf((await caRow(caName))!.encrypted_key)).toEqual(OLD_FORMAT);
      return { caName, caKey, signerKeys };
    }

    async function signerRows(caName: string): Promise<{ serial: string; encrypted_key: string }[]> {
      return ds.query(`SELECT serial, encrypted_key FROM ocsp_signer WHERE ca_name = $1 ORDER BY serial`, [caName]);
    }

    it('opens them with their own parameters at start and re-wraps every one with scrypt, logging that it did and no key', async () => {
      const { caName, caKey, signerKeys } = await oldCa('rewrap');
      const svc = new CaKeysService(config(caName), ds);
      const { output } = await captureOutput(() => svc.load());

      // The CA works with the key it had.
      expect(svc.ca.signer.spki.equals(svc.ca.spki)).toBe(true);
      const row = (await caRow(caName))!;
      expect(keyEncryptionOf(row.encrypted_key)).toEqual(NEW_FORMAT);
      expect(decryptPrivateKey(row.encrypted_key, TEST_PASSPHRASE).equals(caKey)).toBe(true);
      // OpenSSL still opens it (emergency access).
      const enc = w.write(`${caName}.rewrapped.pem`, row.encrypted_key);
      expect(createPrivateKey(openssl(['pkey', '-in', enc, '-passin', `pass:${TEST_PASSPHRASE}`])).equals(caKey)).toBe(true);
      // The OCSP responder keys, expired or not, share the passphrase: re-wrapped too.
      for (const s of await signerRows(caName)) {
        expect(keyEncryptionOf(s.encrypted_key)).toEqual(NEW_FORMAT);
        expect(decryptPrivateKey(s.encrypted_key, TEST_PASSPHRASE).equals(signerKeys.get(s.serial)!)).toBe(true);
      }

      expect(output).toContain(
        `re-wrapped the CA key of ${caName}: was PBKDF2 (hmacWithSHA256, 2048 iterations) with aes-256-cbc, now scrypt (N=16384, r=8, p=5) with aes-256-cbc`,
      );
      expect(output).toContain(`re-wrapped 2 delegated OCSP responder key(s) of ${caName} with scrypt`);
      expect(output).not.toContain(TEST_PASSPHRASE);
      expect(output).not.toMatch(/PRIVATE KEY/);
      const d = Buffer.from(caKey.export({ format: 'jwk' }).d!, 'base64url');
      expect(output).not.toContain(d.toString('hex'));
      expect(output).not.toContain(d.toString('base64'));

      // The next start finds nothing to do.
      const again = await captureOutput(() => new CaKeysService(config(caName), ds).load());
      expect(again.output).not.toContain('re-wrapped');
      expect((await caRow(caName))!.row_text).toBe(row.row_text);
    });

    it('re-wraps once when several replicas start together on such a database', async () => {
      const { caName, caKey } = await oldCa('rewrap-race');
      const services = await Promise.all([0, 1, 2].map(async () => new CaKeysService(config(caName), await replicaDs())));
      const { value: loaded, output } = await captureOutput(() => Promise.all(services.map((svc) => svc.load())));
      for (const ca of loaded) expect(ca.signer.spki.equals(ca.spki)).toBe(true);
      expect(output.match(/re-wrapped the CA key/g)).toHaveLength(1);
      expect(decryptPrivateKey((await caRow(caName))!.encrypted_key, TEST_PASSPHRASE).equals(caKey)).toBe(true);
    });

    it('refuses a wrong passphrase with the same clear message and leaves every key as it was', async () => {
      const { caName } = await oldCa('rewrap-pass');
      const before = (await caRow(caName))!;
      const signersBefore = await signerRows(caName);
      const wrong = 'a-wrong-passphrase-4711';
      const err: Error = await new CaKeysService(config(caName, { SIGNET_CA_KEY_PASSPHRASE: wrong }), ds).load().then(
        () => {
          throw new Error('a wrong passphrase was accepted');
        },
        (e: Error) => e,
      );
      expect(err.message).toMatch(new RegExp(`cannot decrypt the CA key of ${caName}: .*wrong passphrase.*another passphrase: give that one \\(SIGNET_CA_KEY_PASSPHRASE`));
      expect(err.message).not.toContain(wrong);
      expect((await caRow(caName))!.row_text).toBe(before.row_text);
      expect(keyEncryptionOf(before.encrypted_key)).toEqual(OLD_FORMAT);
      expect(await signerRows(caName)).toEqual(signersBefore);
    });
  });

  it('generates an RSA-2048 CA when asked', async () => {
    const caName = testCaName('rsa');
    const svc = new CaKeysService(config(caName, { SIGNET_CA_KEY_ALGORITHM: 'rsa-2048' }), ds);
    await svc.load();
    expect(svc.ca.keyAlgorithm).toBe('rsa-2048');
    expect(await caRow(caName)).toMatchObject({ key_algorithm: 'rsa-2048', source: 'generated' });
    expect((await caRow(caName))!.encrypted_key.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
    const pem = w.write(`${caName}.pem`, svc.ca.certificatePem);
    expect(tryOpenssl(['verify', '-x509_strict', '-CAfile', pem, pem]).status).toBe(0);
    const text = openssl(['x509', '-in', pem, '-noout', '-text']);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
  });

  it('ends with one CA row when several replicas start together on an empty database', async () => {
    const caName = testCaName('race');
    const services = await Promise.all([0, 1, 2, 3].map(async () => new CaKeysService(config(caName), await replicaDs())));
    const loaded = await Promise.all(services.map((s) => s.load()));
    expect(await caRowCount(caName)).toBe(1);
    const row = (await ds.query(`SELECT certificate FROM ca WHERE name = $1`, [caName]))[0] as { certificate: Buffer };
    for (const ca of loaded) {
      expect(ca.certificateDer.equals(row.certificate)).toBe(true);
      // Every replica signs with the key of the stored certificate.
      expect(ca.signer.spki.equals(parseCertificate(row.certificate).spki)).toBe(true);
    }
  });

  describe('importing an issuing CA under an offline root', () => {
    const pass = TEST_PASSPHRASE;
    let rootPem: string;
    let issuingPem: string;

    beforeAll(() => {
      const d = w.dir;
      // The offline root.
      openssl([
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem',
        '-subj', '/CN=Test Offline Root/O=Signet Tests', '-days', '3650',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ], { cwd: d });
      // The issuing CA, signed by the root.
      openssl([
        'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'issuing.key', '-out', 'issuing.csr',
        '-subj', '/CN=Test Issuing CA/O=Signet Tests',
      ], { cwd: d });
      w.write('issuing.ext', [
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        'keyUsage=critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid:always',
        '',
      ].join('\n'));
      openssl([
        'x509', '-req', '-in', 'issuing.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', `0x${randomHex(8)}`,
        '-days', '1825', '-extfile', 'issuing.ext', '-out', 'issuing.pem',
      ], { cwd: d });
      // Its key as encrypted PKCS#8, the way ADR 0004 asks for it.
      openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'issuing.key', '-out', 'issuing.enc.pem', '-passout', `pass:${pass}`], { cwd: d });
      // A key that belongs to no certificate here.
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key'], { cwd: d });
      openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'other.key', '-out', 'other.enc.pem', '-passout', `pass:${pass}`], { cwd: d });
      // Sanity of the fixture: the issuing CA chains to the root.
      openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'issuing.pem'], { cwd: d });
      rootPem = w.read('root.pem');
      issuingPem = w.read('issuing.pem');
    });

    /** The row's key is PBES2 (scrypt, AES-256-CBC) PKCS#8 under the passphrase and holds the same key as `clearKeyFile`. */
    function expectStoredAsAes256Pkcs8(encryptedKey: string, clearKeyFile: string): void {
      expect(encryptedKey.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
      const stored = w.write(`stored-${randomHex()}.pem`, encryptedKey);
      const structure = openssl(['asn1parse', '-in', stored]);
      expect(structure).toMatch(/:PBES2/);
      expect(structure).toMatch(/:scrypt/);
      expect(structure).toMatch(/:aes-256-cbc/);
      expect(openssl(['pkey', '-in', stored, '-passin', `pass:${pass}`, '-pubout'])).toBe(openssl(['pkey', '-in', w.path(clearKeyFile), '-pubout']));
    }

    function importEnv(keyFile: string, withChain = true): Record<string, string> {
      return {
        SIGNET_CA_CERT_FILE: w.path('issuing.pem'),
        SIGNET_CA_KEY_FILE: w.path(keyFile),
        ...(withChain ? { SIGNET_CA_CHAIN_FILE: w.path('root.pem') } : {}),
      };
    }

    it('loads the certificate, the chain and the key from the files', async () => {
      const caName = testCaName('import');
      const svc = new CaKeysService(config(caName, importEnv('issuing.enc.pem')), ds);
      const ca = await svc.load();
      expect(ca.selfSigned).toBe(false);
      expect(ca.commonName).toBe('Test Issuing CA');
      expect(ca.keyAlgorithm).toBe('ecdsa-p256');
      expect(ca.certificateDer.equals(fromPem(issuingPem, 'CERTIFICATE'))).toBe(true);
      expect(ca.chainPem).toEqual([toPem(fromPem(rootPem, 'CERTIFICATE'), 'CERTIFICATE')]);
      expect(ca.signer.spki.equals(ca.spki)).toBe(true);

      const row = (await caRow(caName))!;
      expect(row).toMatchObject({ source: 'imported', key_algorithm: 'ecdsa-p256', n_chain: 1 });
      // Stored encrypted, and it is the issuing CA's key.
      expectStoredAsAes256Pkcs8(row.encrypted_key, 'issuing.key');

      // The chain ca-core hands out verifies with OpenSSL.
      const leafCa = w.write(`${caName}.pem`, ca.certificatePem);
      const chain = w.write(`${caName}-chain.pem`, ca.chainPem.join(''));
      expect(tryOpenssl(['verify', '-x509_strict', '-CAfile', chain, leafCa]).status).toBe(0);

      // A replica started later (without the files) gets the imported CA from the database.
      const replica = new CaKeysService(config(caName), await replicaDs());
      await replica.load();
      expect(replica.ca.certificateDer.equals(ca.certificateDer)).toBe(true);
      expect(replica.ca.chainPem).toEqual(ca.chainPem);
      expect(replica.ca.selfSigned).toBe(false);
    });

    it('stores an imported key as PBES2 (scrypt, AES-256-CBC) even when the file used a legacy cipher', async () => {
      openssl(['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES', '-in', 'issuing.key', '-out', 'issuing.3des.pem', '-passout', `pass:${pass}`], { cwd: w.dir });
      expect(openssl(['asn1parse', '-in', w.path('issuing.3des.pem')])).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
      const caName = testCaName('import-3des');
      const ca = await new CaKeysService(config(caName, importEnv('issuing.3des.pem')), ds).load();
      expect(ca.signer.spki.equals(ca.spki)).toBe(true);
      const row = (await caRow(caName))!;
      expect(row.row_text).not.toMatch(/TripleDES/);
      expectStoredAsAes256Pkcs8(row.encrypted_key, 'issuing.key');
    });

    it('imports without a chain file as a CA with an empty chain', async () => {
      const caName = testCaName('import-nochain');
      const ca = await new CaKeysService(config(caName, importEnv('issuing.enc.pem', false)), ds).load();
      expect(ca.chainPem).toEqual([]);
      expect(ca.selfSigned).toBe(false);
    });

    it.each<[string, string, RegExp]>([
      ['a key that does not match the certificate', 'other.enc.pem', /SIGNET_CA_KEY_FILE does not hold the key of the certificate in SIGNET_CA_CERT_FILE/],
      ['an unencrypted key file', 'issuing.key', /refusing an unencrypted private key/],
    ])('refuses %s and stores nothing', async (_name, keyFile, message) => {
      const caName = testCaName('import-bad');
      await expect(new CaKeysService(config(caName, importEnv(keyFile)), ds).load()).rejects.toThrow(message);
      expect(await caRowCount(caName)).toBe(0);
    });

    it('refuses a key file under another passphrase without echoing either passphrase', async () => {
      const caName = testCaName('import-pass');
      const wrong = 'not-the-import-passphrase';
      const err: Error = await new CaKeysService(config(caName, { ...importEnv('issuing.enc.pem'), SIGNET_CA_KEY_PASSPHRASE: wrong }), ds).load().then(
        () => {
          throw new Error('accepted');
        },
        (e: Error) => e,
      );
      expect(err.message).toMatch(/wrong passphrase/);
      expect(err.message).not.toContain(wrong);
      expect(err.message).not.toContain(pass);
      expect(await caRowCount(caName)).toBe(0);
    });
  });
});
