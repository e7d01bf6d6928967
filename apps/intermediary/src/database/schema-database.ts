import { DataSource, type MigrationInterface } from 'typeorm';

/** One of the intermediary's own schemas: its name, its migrations, and the advisory lock its migration runners share. */
export interface SchemaDatabase {
  url: string;
  schema: string;
  migrations: (new () => MigrationInterface)[];
  /** Not ca-core's lock nor another schema's: they may share one database and migrate at once. */
  migrationLock: number;
  applicationName: string;
  poolSize?: number;
}

/**
 * Connects to a front door's own schema, creates it if missing and applies
 * its pending migrations from code (`synchronize` stays off); replicas
 * starting together are serialised by the advisory lock. Queries are not
 * logged: TypeORM would print a failed query's parameters, which may hold
 * secrets; the callers log what failed.
 */
export async function openSchemaDatabase(o: SchemaDatabase): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    migrations: o.migrations,
    migrationsTransactionMode: 'each',
    logging: ['migration'],
    extra: { max: o.poolSize ?? 10, application_name: o.applicationName },
  });
  await ds.initialize();
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock($1)`, [o.migrationLock]);
    // The migrations table lives in the schema, so the schema comes first.
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${o.schema}`);
    await ds.runMigrations();
  } catch (e) {
    await lock.query(`SELECT pg_advisory_unlock($1)`, [o.migrationLock]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
    throw e;
  }
  await lock.query(`SELECT pg_advisory_unlock($1)`, [o.migrationLock]).catch(() => undefined);
  await lock.release();
  return ds;
}
