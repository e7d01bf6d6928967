import { connect, type NatsConnection } from '@nats-io/transport-node';
import { discoverCas } from '@signet/bus';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { APPS, freePort, ServiceProcess, waitFor, type App } from './processes';

const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
/** A PostgreSQL role that may create databases (the test creates its own). */
const ADMIN_DB_URL = process.env.SIGNET_TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * All five services on real NATS and a fresh PostgreSQL database, under a
 * CA name of their own so parallel runs and stray processes never answer
 * for them.
 */
export class Stack {
  readonly ca = `e2e-${randomBytes(4).toString('hex')}`;
  readonly dbName = `signet_${this.ca.replace(/-/g, '_')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  readonly services = new Map<App, ServiceProcess>();
  httpPort = 0;
  adminPort = 0;
  nc!: NatsConnection;
  db!: Client;
  /** The secret the test gives ca-core; asserted never to appear in logs. */
  readonly passphrase = randomBytes(24).toString('base64url');

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get databaseUrl(): string {
    const u = new URL(ADMIN_DB_URL);
    u.pathname = `/${this.dbName}`;
    return u.toString();
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const passFile = join(this.dir, 'passphrase');
    writeFileSync(passFile, this.passphrase, { mode: 0o600 });
    return {
      SIGNET_NATS_URL: NATS_URL,
      SIGNET_CA_NAME: this.ca,
      SIGNET_DEFAULT_CA: this.ca,
      SIGNET_DATABASE_URL: this.databaseUrl,
      SIGNET_CA_KEY_PASSPHRASE_FILE: passFile,
      SIGNET_CA_SUBJECT: `C=DE,O=Signet Tests,CN=Signet E2E ${this.ca}`,
      SIGNET_HTTP_HOST: '127.0.0.1',
      SIGNET_HTTP_PORT: String(this.httpPort),
      SIGNET_ADMIN_PORT: String(this.adminPort),
      SIGNET_POLICY_FILE: join(__dirname, '..', '..', 'config', 'policy.yaml'),
      SIGNET_POLICY_TIMEOUT_MS: '3000',
      SIGNET_DISCOVERY_TTL_MS: '500',
      SIGNET_LOG_LEVEL: 'debug',
      ...extra,
    };
  }

  async start(extra: NodeJS.ProcessEnv = {}): Promise<void> {
    this.httpPort = await freePort();
    this.adminPort = await freePort();
    const admin = new Client({ connectionString: ADMIN_DB_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.dbName}`);
    await admin.end();
    this.db = new Client({ connectionString: this.databaseUrl });
    await this.db.connect();
    this.nc = await connect({ servers: NATS_URL });
    for (const app of APPS) this.services.set(app, new ServiceProcess(app, this.env(extra)));
    await this.startAll();
  }

  async startAll(): Promise<void> {
    for (const app of APPS) this.services.get(app)!.start();
    await this.ready();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
  }

  service(app: App): ServiceProcess {
    return this.services.get(app)!;
  }

  /** The CA answers discovery with a policy, and the intermediary is ready. */
  async ready(): Promise<void> {
    await waitFor(
      'the CA to be discovered with its policy module',
      async () => (await discoverCas(this.nc, 300)).find((c) => c.name === this.ca && c.status === 'online'),
      60_000,
    ).catch((e) => this.fail(e));
    await waitFor('the intermediary', async () => (await fetch(`${this.baseUrl}/readyz`)).ok, 60_000).catch((e) => this.fail(e));
  }

  private fail(e: Error): never {
    const logs = [...this.services.values()].map((s) => `--- ${s.app} (running: ${s.running})\n${s.log().slice(-4000)}`).join('\n');
    throw new Error(`${e.message}\n${logs}`);
  }

  async close(): Promise<void> {
    await this.stopAll();
    await this.db?.end().catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
    const admin = new Client({ connectionString: ADMIN_DB_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }

  /** POST /api/v1/requests. */
  async submit(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
  }

  async get(path: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`);
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }

  async count(table: 'request' | 'certificate' | 'request_attribute' | 'request_extension' | 'serial_reservation'): Promise<number> {
    const r = await this.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    return r.rows[0].n;
  }
}
