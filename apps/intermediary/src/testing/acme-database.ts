import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A throw-away PostgreSQL database for the ACME tests (test-only; excluded
 * from the build): real PostgreSQL, one fresh database per test file.
 */
export const PG_ADMIN_URL = process.env.SIGNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Runs SQL on the server as its administrator (outside any test database). */
export async function asAdmin(sql: string): Promise<void> {
  const c = new Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createAcmeTestDatabase(): Promise<TestDatabase> {
  const name = `signet_acme_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
