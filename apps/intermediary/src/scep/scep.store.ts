import { decryptPrivateKey, encryptPrivateKey, KEY_ENCRYPTION, OPENSSL_SCRYPT_MAX_MEM } from '@signet/x509';
import { createCipheriv, createDecipheriv, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { type PendingTransaction, type PendingTransactions } from './transactions';

/** An RA certificate as stored: the key still encrypted. */
export interface StoredRa {
  id: string;
  certificate: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  notAfter: number;
  renewAt: number;
}

/** What a replica writes after the CA issued it an RA certificate. */
export interface NewRa {
  certificate: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  notAfter: number;
  renewAt: number;
}

const SALT = Buffer.from('signet/scep/retrieval-secrets');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The SCEP state several replicas share and a restart keeps (ADR 0040), in
 * the `scep` schema. The RA key is stored as an encrypted PKCS#8 (scrypt +
 * AES-256-CBC, as CA keys are, ADR 0024) under the state passphrase;
 * retrieval secrets are sealed with AES-256-GCM under a key derived from
 * the same passphrase, bound to their transaction's key, so a row copied
 * to another transaction does not open. Neither is ever in clear at rest.
 */
export class ScepStateStore implements PendingTransactions {
  private readonly sealKey: Buffer;
  /** Decrypting a key costs a scrypt: each RA row is opened once per process. */
  private readonly opened = new Map<string, StoredRa>();

  constructor(
    private readonly ds: DataSource,
    private readonly passphrase: string,
    private readonly ttlMs: number,
  ) {
    this.sealKey = scryptSync(Buffer.from(passphrase, 'utf8'), SALT, 32, { ...KEY_ENCRYPTION, maxmem: OPENSSL_SCRYPT_MAX_MEM + 1024 * 1024 });
  }

  async close(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }

  async remember(key: string, t: PendingTransaction): Promise<void> {
    await this.ds.query(
      `INSERT INTO scep.transactions (key, request_id, retrieval_secret) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET request_id = EXCLUDED.request_id, retrieval_secret = EXCLUDED.retrieval_secret, created_at = now()`,
      [key, t.requestId, this.seal(key, t.retrievalSecret)],
    );
    // Aged out: a device that never polled again leaves nothing behind for long.
    await this.ds.query(`DELETE FROM scep.transactions WHERE created_at < now() - make_interval(secs => $1)`, [this.ttlMs / 1000]);
  }

  async find(key: string): Promise<PendingTransaction | undefined> {
    const rows: { request_id: string; retrieval_secret: Buffer }[] = await this.ds.query(
      `SELECT request_id, retrieval_secret FROM scep.transactions WHERE key = $1 AND created_at >= now() - make_interval(secs => $2)`,
      [key, this.ttlMs / 1000],
    );
    if (!rows.length) return undefined;
    return { requestId: Number(rows[0].request_id), retrievalSecret: this.unseal(key, rows[0].retrieval_secret) };
  }

  async forget(key: string): Promise<void> {
    await this.ds.query(`DELETE FROM scep.transactions WHERE key = $1`, [key]);
  }

  /** The newest RA certificates of `ca`, newest first (at most two: the current one and the one before). */
  async latestRa(ca: string, db: DataSource | EntityManager = this.ds): Promise<StoredRa[]> {
    const ids: { id: string }[] = await db.query(`SELECT id FROM scep.ra_certificates WHERE ca = $1 ORDER BY id DESC LIMIT 2`, [ca]);
    return Promise.all(ids.map((r) => this.openRa(r.id, db)));
  }

  /**
   * Runs `fn` holding the RA enrolment lock of `ca` (a transaction-scoped
   * advisory lock): one replica enrols or renews at a time, the others
   * find its certificate when they get the lock. `fn` reads and writes
   * with the transaction's manager.
   */
  async withRaLock<T>(ca: string, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`signet-scep-ra:${ca}`]);
      return fn(tx);
    });
  }

  async insertRa(tx: EntityManager, ca: string, ra: NewRa): Promise<void> {
    await tx.query(
      `INSERT INTO scep.ra_certificates (ca, certificate, chain, encrypted_key, not_after, renew_at) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0))`,
      [ca, ra.certificate, ra.chain, encryptPrivateKey(ra.privateKey, this.passphrase), ra.notAfter, ra.renewAt],
    );
  }

  private async openRa(id: string, db: DataSource | EntityManager): Promise<StoredRa> {
    const known = this.opened.get(id);
    if (known) return known;
    const [row]: { certificate: Buffer; chain: Buffer[]; encrypted_key: string; not_after: Date; renew_at: Date }[] = await db.query(
      `SELECT certificate, chain, encrypted_key, not_after, renew_at FROM scep.ra_certificates WHERE id = $1`,
      [id],
    );
    const ra: StoredRa = { id, certificate: row.certificate, chain: row.chain, privateKey: decryptPrivateKey(row.encrypted_key, this.passphrase), notAfter: row.not_after.getTime(), renewAt: row.renew_at.getTime() };
    this.opened.set(id, ra);
    return ra;
  }

  private seal(key: string, secret: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.sealKey, iv);
    c.setAAD(Buffer.from(key, 'utf8'));
    const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  private unseal(key: string, sealed: Buffer): string {
    const d = createDecipheriv('aes-256-gcm', this.sealKey, sealed.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(key, 'utf8'));
    d.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([d.update(sealed.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  }
}
