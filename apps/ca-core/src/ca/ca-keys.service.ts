import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CaInfo, type Name } from '@signet/contracts';
import {
  createSelfSignedCa,
  createSigner,
  decryptPrivateKey,
  describeKeyEncryption,
  encryptPrivateKey,
  fromPem,
  generateKeyPair,
  isCurrentKeyEncryption,
  KEY_ENCRYPTION,
  keyAlgorithmOf,
  keyEncryptionOf,
  parseCertificate,
  parseNameString,
  pemBlocks,
  prepareIssuer,
  subjectKeyIdentifier,
  toPem,
  type PreparedIssuer,
  type Signer,
} from '@signet/x509';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Clock, SystemClock } from '../clock';

/** The loaded CA: certificate facts and a signer. The private key stays inside the signer. */
export interface LoadedCa {
  name: string;
  certificateDer: Buffer;
  certificatePem: string;
  /** Issuers above the CA certificate, nearest first (empty for a root). */
  chainPem: string[];
  subject: Name;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  keyId: Buffer;
  keyAlgorithm: string;
  selfSigned: boolean;
  signer: Signer;
  /** The CA certificate parsed and the fixed parts of every certificate encoded, once per load (ADR 0038). */
  issuer: PreparedIssuer;
}

interface CaRow {
  certificate: Buffer;
  chain: Buffer[];
  encrypted_key: string;
  key_algorithm: string;
}

/**
 * Creates the CA on first start (or imports it from files) and loads it on
 * every start. The key is stored only as encrypted PKCS#8; it is decrypted
 * into memory here and handed to a Signer, never logged or returned.
 * Replicas starting together agree through the primary key on `ca.name`.
 */
@Injectable()
export class CaKeysService {
  private readonly log = new Logger('CaKeys');
  private loaded?: LoadedCa;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  get ca(): LoadedCa {
    if (!this.loaded) throw new Error('CA not loaded yet');
    return this.loaded;
  }

  /** AD CS config string, `host\CAName`. */
  configString(): string {
    return `${this.config.host}\\${this.ca.commonName}`;
  }

  /** The CA as modules see it (ICertPolicy::Initialize's strConfig, richer). */
  caInfo(): CaInfo {
    const ca = this.ca;
    return {
      name: ca.name,
      config: this.configString(),
      subject: ca.subject,
      certificate: ca.certificatePem,
      notBefore: ca.notBefore.toISOString(),
      notAfter: ca.notAfter.toISOString(),
      keyAlgorithm: ca.keyAlgorithm,
    };
  }

  async load(): Promise<LoadedCa> {
    let row = await this.readRow();
    if (!row) {
      const created = this.config.import ? this.importFromFiles() : await this.generate();
      await this.ds.query(
        `INSERT INTO ca (name, certificate, chain, encrypted_key, key_algorithm, source) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO NOTHING`,
        [this.config.caName, created.certificate, created.chain, created.encrypted_key, created.key_algorithm, this.config.import ? 'imported' : 'generated'],
      );
      row = await this.readRow();
      if (!row) throw new Error('CA row vanished after insert');
    }
    if (await this.rewrapOutdatedKeys()) row = (await this.readRow())!;
    this.loaded = this.toLoaded(row);
    this.log.log(`CA ${this.config.caName} loaded: ${this.loaded.commonName}, ${this.loaded.keyAlgorithm}, valid until ${this.loaded.notAfter.toISOString()}`);
    return this.loaded;
  }

  /**
   * Keys written under an older KDF (before ADR 0024: PBKDF2 with 2,048
   * iterations) are opened with the parameters they carry and written again
   * with KEY_ENCRYPTION, in one transaction with their rows locked, so
   * replicas starting together re-wrap once. That covers the CA key and
   * every delegated OCSP responder key of this CA, expired ones included:
   * they share the passphrase, so the weakest wrapping in the database is
   * what guessing the passphrase costs. Logs what changed, never a key.
   */
  private async rewrapOutdatedKeys(): Promise<boolean> {
    const name = this.config.caName;
    const stored: { encrypted_key: string }[] = await this.ds.query(
      `SELECT encrypted_key FROM ca WHERE name = $1 UNION ALL SELECT encrypted_key FROM ocsp_signer WHERE ca_name = $1`,
      [name],
    );
    if (!stored.some((r) => isOutdated(r.encrypted_key))) return false;
    return this.ds.transaction(async (m) => {
      const [ca]: { encrypted_key: string }[] = await m.query(`SELECT encrypted_key FROM ca WHERE name = $1 FOR UPDATE`, [name]);
      const signers: { serial: string; encrypted_key: string }[] = await m.query(
        `SELECT serial, encrypted_key FROM ocsp_signer WHERE ca_name = $1 ORDER BY serial FOR UPDATE`,
        [name],
      );
      let changed = false;
      if (isOutdated(ca.encrypted_key)) {
        const was = describeKeyEncryption(keyEncryptionOf(ca.encrypted_key));
        await m.query(`UPDATE ca SET encrypted_key = $2 WHERE name = $1`, [name, this.rewrapped(ca.encrypted_key, 'CA key')]);
        this.log.log(`re-wrapped the CA key of ${name}: was ${was}, now ${describeKeyEncryption({ kdf: 'scrypt', ...KEY_ENCRYPTION, cipher: 'aes-256-cbc' })}`);
        changed = true;
      }
      const old = signers.filter((s) => isOutdated(s.encrypted_key));
      for (const s of old) {
        const pem = this.rewrapped(s.encrypted_key, `OCSP responder key ${s.serial}`);
        await m.query(`UPDATE ocsp_signer SET encrypted_key = $3 WHERE ca_name = $1 AND serial = $2`, [name, s.serial, pem]);
      }
      if (old.length) this.log.log(`re-wrapped ${old.length} delegated OCSP responder key(s) of ${name} with scrypt`);
      return changed || old.length > 0;
    });
  }

  /** The same key under the same passphrase, written with KEY_ENCRYPTION. */
  private rewrapped(pem: string, what: string): string {
    return encryptPrivateKey(this.decryptStored(pem, what), this.config.keyPassphrase);
  }

  private async readRow(): Promise<CaRow | undefined> {
    const rows: CaRow[] = await this.ds.query(`SELECT certificate, chain, encrypted_key, key_algorithm FROM ca WHERE name = $1`, [this.config.caName]);
    return rows[0];
  }

  private async generate(): Promise<CaRow> {
    const { privateKey, publicKey } = generateKeyPair(this.config.keyAlgorithm);
    // Certificates carry whole seconds.
    const notBefore = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000 - 60_000);
    const notAfter = new Date(notBefore.getTime() + this.config.validityDays * 86_400_000);
    const der = await createSelfSignedCa({ subject: parseNameString(this.config.subject), privateKey, publicKey, notBefore, notAfter });
    this.log.log(`generated a new ${this.config.keyAlgorithm} CA key and self-signed certificate for ${this.config.caName}`);
    return {
      certificate: der,
      chain: [],
      encrypted_key: encryptPrivateKey(privateKey, this.config.keyPassphrase),
      key_algorithm: this.config.keyAlgorithm,
    };
  }

  /** An issuing CA under an offline root: certificate, encrypted key and chain from files. */
  private importFromFiles(): CaRow {
    const files = this.config.import!;
    const certificate = fromPem(readFileSync(files.certFile, 'utf8'), 'CERTIFICATE');
    const keyPem = readFileSync(files.keyFile, 'utf8');
    const key = decryptPrivateKey(keyPem, this.config.keyPassphrase);
    const cert = parseCertificate(certificate);
    const certKey = createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
    const ours = createPublicKey(key).export({ format: 'der', type: 'spki' });
    if (!Buffer.from(certKey.export({ format: 'der', type: 'spki' })).equals(Buffer.from(ours))) {
      throw new Error(`SIGNET_CA_KEY_FILE does not hold the key of the certificate in SIGNET_CA_CERT_FILE`);
    }
    const chain = files.chainFile ? pemBlocks(readFileSync(files.chainFile, 'utf8'), 'CERTIFICATE') : [];
    this.log.log(`imported CA certificate ${files.certFile} with ${chain.length} chain certificate(s)`);
    // Stored re-encrypted, so the row holds PBES2/AES-256-CBC whatever cipher the file used (ADR 0004).
    return { certificate, chain, encrypted_key: encryptPrivateKey(key, this.config.keyPassphrase), key_algorithm: keyAlgorithmOf(key) };
  }

  /** Decrypts a key the database holds under the CA passphrase; a wrong passphrase gets the message operators need. */
  private decryptStored(pem: string, what: string) {
    try {
      return decryptPrivateKey(pem, this.config.keyPassphrase);
    } catch (e) {
      // Most often the database holds a CA made with another passphrase (another checkout's `npm start`, another deployment).
      throw new Error(
        `cannot decrypt the ${what} of ${this.config.caName}: ${(e as Error).message}. The database already holds this CA, made with another passphrase: ` +
          `give that one (SIGNET_CA_KEY_PASSPHRASE / _FILE; npm start keeps its own in .signet/ca-passphrase), or point SIGNET_DATABASE_URL at another database`,
        { cause: e },
      );
    }
  }

  private toLoaded(row: CaRow): LoadedCa {
    const key = this.decryptStored(row.encrypted_key, 'CA key');
    const cert = parseCertificate(row.certificate);
    const cn = cert.subject.find((r) => r.type === 'CN')?.value ?? this.config.caName;
    const signer = createSigner(key);
    return {
      name: this.config.caName,
      certificateDer: row.certificate,
      certificatePem: toPem(row.certificate, 'CERTIFICATE'),
      chainPem: (row.chain ?? []).map((c) => toPem(c, 'CERTIFICATE')),
      subject: cert.subject,
      commonName: cn,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      spki: cert.spki,
      keyId: subjectKeyIdentifier(cert.spki),
      keyAlgorithm: row.key_algorithm,
      selfSigned: Buffer.from(JSON.stringify(cert.subject)).equals(Buffer.from(JSON.stringify(cert.issuer))),
      signer,
      issuer: prepareIssuer({ certificateDer: row.certificate, signer }),
    };
  }
}

/** True when the stored key is not in the current format; a key this code cannot describe is left to decryption to judge. */
function isOutdated(pem: string): boolean {
  try {
    return !isCurrentKeyEncryption(keyEncryptionOf(pem));
  } catch {
    return false;
  }
}
