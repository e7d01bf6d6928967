import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Events } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadCaConfig, type CaConfig } from '../config/ca-config';

/**
 * Test-only helpers for ca-core specs (never imported by the app; excluded
 * from the build). Tests use the real PostgreSQL and NATS: a throw-away
 * database and a unique CA name per test file keep them apart from each
 * other and from anything else on the same servers.
 */

export const PG_ADMIN_URL = process.env.SIGNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Long enough for the CA config rules; only ever used for throw-away test keys. */
export const TEST_PASSPHRASE = 'test-passphrase-0123456789';

export function randomHex(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** A CA name nobody else on the bus uses. */
export function testCaName(prefix = 't'): string {
  return `${prefix}-${randomHex(6)}`;
}

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database `signet_t_<hex>`; `drop()` removes it even with open connections. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `signet_t_${randomHex(8)}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A CaConfig the way ca-core builds it, from environment strings. */
export function testConfig(caName: string, databaseUrl: string, env: Record<string, string | undefined> = {}): CaConfig {
  return loadCaConfig({
    SIGNET_CA_NAME: caName,
    SIGNET_DATABASE_URL: databaseUrl,
    SIGNET_NATS_URL: NATS_URL,
    SIGNET_CA_KEY_PASSPHRASE: TEST_PASSPHRASE,
    SIGNET_CA_HOST: 'test-host',
    ...env,
  });
}

export function connectNats(name: string): Promise<NatsConnection> {
  return connect({ servers: NATS_URL, name });
}

/** Message counts per subject of one CA in the event stream. */
export async function eventCounts(nc: NatsConnection, caName: string): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(Events.stream, { subjects_filter: Events.allOfCa(caName) });
  return { ...(info.state.subjects ?? {}) };
}

/** Removes one test CA's events from the shared stream (hygiene; the stream is shared with everything else). */
export async function purgeEvents(nc: NatsConnection, caNames: string[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const ca of caNames) await jsm.streams.purge(Events.stream, { filter: Events.allOfCa(ca) }).catch(() => undefined);
}

/** The newest stored message on a subject: its message id and JSON payload. */
export async function lastEvent(nc: NatsConnection, subject: string): Promise<{ msgId: string | undefined; payload: Record<string, unknown> } | undefined> {
  const jsm = await jetstreamManager(nc);
  const m = await jsm.streams.getMessage(Events.stream, { last_by_subj: subject }).catch(() => null);
  if (!m) return undefined;
  return { msgId: m.header?.get('Nats-Msg-Id') || undefined, payload: m.json<Record<string, unknown>>() };
}

/** Polls `probe` until it returns something truthy; for state reached in the background. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A promise with its resolver, for ordering concurrent steps without sleeps. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs `fn` with console.log silenced: TypeORM logs every failed query, including the ones a test provokes. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}
