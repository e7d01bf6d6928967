import { type DataSource } from 'typeorm';
import { openSchemaDatabase } from '../../database/schema-database';
import { AcmeSchema1765100000000 } from './migrations/1765100000000-acme-schema';

export const ACME_SCHEMA = 'acme';
export const ACME_MIGRATIONS = [AcmeSchema1765100000000];

/**
 * The ACME front door's database (ADR 0035): its own schema `acme`, which
 * may live in ca-core's database or any other. Migrations run from code at
 * start, one runner at a time (a lock of its own: not ca-core's nor SCEP's,
 * they may share one database and migrate at once); `synchronize` stays
 * off, and failed queries are not logged with their parameters (an EAB MAC
 * key, a retrieval secret).
 */
export function openAcmeDatabase(url: string): Promise<DataSource> {
  return openSchemaDatabase({
    url,
    schema: ACME_SCHEMA,
    migrations: ACME_MIGRATIONS,
    migrationLock: 0x5349474e4143, // 'SIGNAC'
    applicationName: 'signet-intermediary-acme',
  });
}
