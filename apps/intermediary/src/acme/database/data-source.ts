import { DataSource } from 'typeorm';
import { AcmeSchema1765100000000 } from './migrations/1765100000000-acme-schema';

/** Not ca-core's lock: the two may share one database and migrate at once. */
const MIGRATION_LOCK = 0x5349474e4143; // 'SIGNAC'

export const ACME_SCHEMA = 'acme';
export const ACME_MIGRATIONS = [AcmeSchema1765100000000];

/**
 * The ACME front door's database (ADR 0035): its own schema `acme`, which
 * may live in ca-core's database or any other. Migrations run from code at
 * start, one runner at a time; `synchronize` stays off.
 */
export function createAcmeDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: ACME_SCHEMA,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    migrations: ACME_MIGRATIONS,
    migrationsTransactionMode: 'each',
    // Not 'error': TypeORM would print a failed query's parameters, which may hold an EAB MAC key or a retrieval secret; the callers log what failed.
    logging: ['migration'],
    extra: { max: 10, application_name: 'signet-intermediary-acme' },
  });
}

/** Connects, creates the schema if missing and applies pending migrations; replicas starting together are serialised by a lock. */
export async function openAcmeDatabase(url: string): Promise<DataSource> {
  const ds = createAcmeDataSource(url);
  await ds.initialize();
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    // The migrations table lives in the schema, so the schema comes first.
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${ACME_SCHEMA}`);
    await ds.runMigrations();
  } catch (e) {
    await lock.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
    throw e;
  }
  await lock.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
  await lock.release();
  return ds;
}
