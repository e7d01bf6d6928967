import { type DataSource } from 'typeorm';
import { openSchemaDatabase } from '../../database/schema-database';
import { ScepSchema1765300000000 } from './migrations/1765300000000-scep-schema';

export const SCEP_SCHEMA = 'scep';
export const SCEP_MIGRATIONS = [ScepSchema1765300000000];

/** The SCEP front door's schema `scep` (ADR 0040), in ca-core's database or any other; migrated at start. */
export function openScepDatabase(url: string): Promise<DataSource> {
  return openSchemaDatabase({
    url,
    schema: SCEP_SCHEMA,
    migrations: SCEP_MIGRATIONS,
    migrationLock: 0x5349474e5343, // 'SIGNSC'
    applicationName: 'signet-intermediary-scep',
    poolSize: 5,
  });
}
