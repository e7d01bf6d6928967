import { generateKeyPair } from '@signet/x509';
import { openScepDatabase } from '../src/scep/database/scep-database';
import { ScepStateStore } from '../src/scep/scep.store';
import { createAcmeTestDatabase, type TestDatabase } from '../src/testing/acme-database';

type DataSource = Awaited<ReturnType<typeof openScepDatabase>>;

/**
 * The SCEP state store (ADR 0040) on real PostgreSQL: what two replicas, or
 * one restarted, share through the `scep` schema, and that its secrets are
 * sealed under the passphrase.
 */
describe('ScepStateStore', () => {
  const passphrase = 'a passphrase for the scep state';
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;
  let one: ScepStateStore;
  let two: ScepStateStore;

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    // Two replicas starting at once: the migration lock serialises them.
    [a, b] = await Promise.all([openScepDatabase(db.url), openScepDatabase(db.url)]);
    one = new ScepStateStore(a, passphrase, 60_000);
    two = new ScepStateStore(b, passphrase, 60_000);
  }, 60_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('ok/a transaction one replica remembers, another finds; forget removes it for both', async () => {
    await one.remember('k1', { requestId: 41, retrievalSecret: 'the-retrieval-secret' });
    expect(await two.find('k1')).toEqual({ requestId: 41, retrievalSecret: 'the-retrieval-secret' });
    await two.forget('k1');
    expect(await one.find('k1')).toBeUndefined();
  });

  it('ok/the retrieval secret is not stored in clear', async () => {
    await one.remember('k2', { requestId: 42, retrievalSecret: 'plain-secret-value' });
    const [row] = await a.query(`SELECT retrieval_secret FROM scep.transactions WHERE key = 'k2'`);
    expect((row.retrieval_secret as Buffer).includes(Buffer.from('plain-secret-value'))).toBe(false);
  });

  it('fail/a sealed secret moved to another transaction does not open; nor under another passphrase', async () => {
    await one.remember('k3', { requestId: 43, retrievalSecret: 's3' });
    await a.query(`INSERT INTO scep.transactions (key, request_id, retrieval_secret) SELECT 'k3-copy', request_id, retrieval_secret FROM scep.transactions WHERE key = 'k3'`);
    await expect(one.find('k3-copy')).rejects.toThrow();
    const other = new ScepStateStore(b, 'another passphrase entirely', 60_000);
    await expect(other.find('k3')).rejects.toThrow();
  });

  it('ok/aged out after the TTL', async () => {
    await one.remember('k4', { requestId: 44, retrievalSecret: 's4' });
    await a.query(`UPDATE scep.transactions SET created_at = now() - interval '2 minutes' WHERE key = 'k4'`);
    expect(await one.find('k4')).toBeUndefined();
  });

  it('ok/an RA one replica stores under the lock, the other reads back with its key (newest first, two at most)', async () => {
    const ra = (n: number) => ({ certificate: Buffer.from(`cert-${n}`), chain: [Buffer.from('ca')], privateKey: generateKeyPair('rsa-2048').privateKey, notAfter: 2e12 + n, renewAt: 1.9e12 + n });
    const made = [ra(1), ra(2), ra(3)];
    for (const r of made) await one.withRaLock('ca1', (tx) => one.insertRa(tx, 'ca1', r));
    const read = await two.latestRa('ca1');
    expect(read.map((r) => r.certificate.toString())).toEqual(['cert-3', 'cert-2']);
    expect(read[0].privateKey.export({ type: 'pkcs8', format: 'der' }).equals(made[2].privateKey.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
    expect(read[0]).toMatchObject({ chain: [Buffer.from('ca')], notAfter: 2e12 + 3, renewAt: 1.9e12 + 3 });
    expect(await two.latestRa('ca2')).toEqual([]);
    const [row] = await a.query(`SELECT encrypted_key FROM scep.ra_certificates ORDER BY id DESC LIMIT 1`);
    expect(row.encrypted_key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  }, 30_000);
});
