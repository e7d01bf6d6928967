import { type DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../testing/infra';
import { createDataSource, MIGRATIONS, openDatabase } from './data-source';

// Real PostgreSQL, one throw-away database per scenario.

const EXPECTED_TABLES = [
  'admin_assertion_used',
  'admin_token',
  'admin_token_epoch',
  'audit_chain_head',
  'audit_log',
  'ca',
  'certificate',
  'crl',
  'crl_hold',
  'enrollment_secret',
  'migrations',
  'module_registration',
  'ocsp_signer',
  'one_time_credential',
  'outbox',
  'request',
  'request_attribute',
  'request_extension',
  'serial_reservation',
];

async function tables(ds: DataSource): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function appliedMigrations(ds: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = await ds.query(`SELECT name FROM migrations ORDER BY id`);
  return rows.map((r) => r.name);
}

describe('openDatabase (real PostgreSQL)', () => {
  const dbs: TestDatabase[] = [];
  const open: DataSource[] = [];

  async function freshDb(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  }

  async function opened(url: string): Promise<DataSource> {
    const ds = await openDatabase(url);
    open.push(ds);
    return ds;
  }

  afterAll(async () => {
    await Promise.all(open.map((ds) => (ds.isInitialized ? ds.destroy() : undefined)));
    await Promise.all(dbs.map((db) => db.drop()));
  });

  it('creates every table of the initial migration on a fresh database', async () => {
    const db = await freshDb();
    const ds = await opened(db.url);
    expect(await tables(ds)).toEqual(EXPECTED_TABLES);
    expect(await appliedMigrations(ds)).toEqual(MIGRATIONS.map((m) => new m().name));

    // The constraints the rest of ca-core relies on are there.
    const constraints: Array<{ conname: string }> = await ds.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'request'::regclass AND contype = 'u'`,
    );
    expect(constraints.map((c) => c.conname)).toContain('request_idempotency');
    const indexes: Array<{ indexname: string }> = await ds.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['request_queue', 'request_submitted', 'certificate_not_after', 'outbox_unpublished', 'audit_log_request']),
    );
    expect(await ds.showMigrations()).toBe(false);
  });

  it('is a no-op when run again on a migrated database', async () => {
    const db = await freshDb();
    const first = await opened(db.url);
    await first.query(`INSERT INTO module_registration (ca_name, kind, name) VALUES ('keep', 'policy', 'survives')`);
    const [{ id: before }] = await first.query(`SELECT max(id) AS id FROM migrations`);

    const again = await opened(db.url);
    expect(await tables(again)).toEqual(EXPECTED_TABLES);
    expect(await appliedMigrations(again)).toEqual(MIGRATIONS.map((m) => new m().name));
    const [{ id: after }] = await again.query(`SELECT max(id) AS id FROM migrations`);
    expect(after).toBe(before);
    // Nothing was recreated: data written before the second start is still there.
    expect(await again.query(`SELECT name FROM module_registration`)).toEqual([{ name: 'survives' }]);
  });

  it('lets two replicas start together on a fresh database (advisory lock): both succeed, the migration runs once', async () => {
    const db = await freshDb();
    const results = await Promise.allSettled([openDatabase(db.url), openDatabase(db.url), openDatabase(db.url)]);
    for (const r of results) if (r.status === 'fulfilled') open.push(r.value);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);

    const ds = open[open.length - 1];
    expect(await tables(ds)).toEqual(EXPECTED_TABLES);
    const rows: Array<{ name: string; n: number }> = await ds.query(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`);
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual(MIGRATIONS.map((m) => ({ name: new m().name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
    // The lock is released once the migrations are done.
    const held: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    expect(held[0].n).toBe(0);
  });

  it('never synchronizes the schema from entities and does not migrate on initialize', () => {
    const ds = createDataSource('postgres://postgres@127.0.0.1:5432/unused');
    expect(ds.options.synchronize).toBe(false);
    expect(ds.options.migrationsRun).toBe(false);
    expect(ds.options.migrationsTransactionMode).toBe('each');
  });

  it('opens with synchronize off', async () => {
    const db = await freshDb();
    const ds = await opened(db.url);
    expect(ds.options.synchronize).toBe(false);
  });
});
