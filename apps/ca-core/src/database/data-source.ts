import { DataSource } from 'typeorm';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { Administration1764100000000 } from './migrations/1764100000000-administration';
import { Revocation1764200000000 } from './migrations/1764200000000-revocation';
import { ImportedCertificates1764300000000 } from './migrations/1764300000000-imported-certificates';
import { AdminTokenEpoch1764400000000 } from './migrations/1764400000000-admin-token-epoch';
import { RetrievalSecrets1764450000000 } from './migrations/1764450000000-retrieval-secrets';
import { EnrollmentSecrets1764532000000 } from './migrations/1764532000000-enrollment-secrets';
import { EnrolleeIdentity1764540000000 } from './migrations/1764540000000-enrollee-identity';
import { RequestLease1764600000000 } from './migrations/1764600000000-request-lease';
import { AdminAssertionReplay1764605000000 } from './migrations/1764605000000-admin-assertion-replay';
import { ResumableRequests1764700000000 } from './migrations/1764700000000-resumable-requests';

const MIGRATION_LOCK = 0x5349474e4554; // 'SIGNET'

export const MIGRATIONS = [
  InitialSchema1764000000000,
  Administration1764100000000,
  Revocation1764200000000,
  ImportedCertificates1764300000000,
  AdminTokenEpoch1764400000000,
  RetrievalSecrets1764450000000,
  EnrollmentSecrets1764532000000,
  EnrolleeIdentity1764540000000,
  RequestLease1764600000000,
  AdminAssertionReplay1764605000000,
  ResumableRequests1764700000000,
];

/**
 * ca-core's only way to the database. The schema changes through migrations
 * only (run at start, in a transaction each); `synchronize` stays off.
 */
export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    logging: ['error', 'migration'],
    extra: { max: 10, application_name: 'signet-ca-core' },
  });
}

/** Connects and applies pending migrations; replicas starting together are serialised by a lock. */
export async function openDatabase(url: string): Promise<DataSource> {
  const ds = createDataSource(url);
  await ds.initialize();
  // Session-level lock on one pinned connection: one migration runner at a time.
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    await ds.runMigrations();
  } finally {
    await lock.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
  return ds;
}
