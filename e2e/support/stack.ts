import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair, loadSigningKey, type SigningKey } from '@signet/assertions';
import { discoverCas } from '@signet/bus';
import { RETRIEVAL_SECRET_HEADER } from '@signet/contracts';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EnrollmentKey, type EnrollmentClaims } from './enrollment';
import { APPS, freePort, ROOT, ServiceProcess, waitFor, type App } from './processes';

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
  /** The intermediary's HTTPS port (ADR 0029); HTTPS is off unless a test turns it on (`SIGNET_TLS_MODE`). */
  httpsPort = 0;
  adminPort = 0;
  nc!: NatsConnection;
  db!: Client;
  /** The secret the test gives ca-core; asserted never to appear in logs. */
  readonly passphrase = randomBytes(24).toString('base64url');
  /** The intermediary's front-door key pair (ADR 0026): the private key for it, the public one for ca-core, as npm start makes them. */
  readonly frontDoor = generateAssertionKeyPair();
  /**
   * An operator's enrollment key, registered at the intermediary (ADR 0031):
   * a test proves the names it asks for with a token (`enrollmentToken`),
   * as the shipped templates want (ADR 0030).
   */
  readonly enrollmentKey = new EnrollmentKey();
  /** Whether the API is served over HTTPS (a test turned SIGNET_TLS_MODE on): the URL tokens are for. */
  private httpsApi = false;

  /** admin-api's assertion key pair (ADR 0028): admin-api gets the private half, ca-core the public one. */
  private readonly adminKeys = generateAssertionKeyPair();
  /** admin-api's signing key, for a test that signs an admin command as admin-api would. */
  readonly adminKey: SigningKey = loadSigningKey(this.adminKeys.privateKeyPem);

  /** `ownSession`: services started in a session (and scheduler autogroup) of their own, for benchmarks. */
  constructor(private readonly opts: { ownSession?: readonly App[] } = {}) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** The intermediary over HTTPS (when a test turns it on). */
  get httpsUrl(): string {
    return `https://127.0.0.1:${this.httpsPort}`;
  }

  /** The audience enrollment tokens must name: the intermediary's URL its clients use for the API. */
  get tokenAudience(): string {
    return this.httpsApi ? this.httpsUrl : this.baseUrl;
  }

  /** A one-time enrollment token for this stack's intermediary, signed with the registered operator key. */
  enrollmentToken(claims: EnrollmentClaims): Promise<string> {
    return this.enrollmentKey.mint(this.tokenAudience, claims);
  }

  /** admin-api, the operator HTTP API. */
  get adminUrl(): string {
    return `http://127.0.0.1:${this.adminPort}`;
  }

  get databaseUrl(): string {
    const u = new URL(ADMIN_DB_URL);
    u.pathname = `/${this.dbName}`;
    return u.toString();
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const passFile = join(this.dir, 'passphrase');
    writeFileSync(passFile, this.passphrase, { mode: 0o600 });
    const [frontDoorKey, frontDoorPub] = [join(this.dir, 'front-door.key'), join(this.dir, 'front-door.pub')];
    writeFileSync(frontDoorKey, this.frontDoor.privateKeyPem, { mode: 0o600 });
    writeFileSync(frontDoorPub, this.frontDoor.publicKeyPem);
    const enrollmentKeys = join(this.dir, 'enrollment-keys.pem');
    writeFileSync(enrollmentKeys, this.enrollmentKey.publicFile);
    // The shipped exit-module file, publishing into this stack's temp dir instead of the repository's .signet/.
    const exitConfig = join(this.dir, 'exit-modules.yaml');
    writeFileSync(exitConfig, readFileSync(join(__dirname, '..', '..', 'config', 'exit-modules.yaml'), 'utf8').replace('directory: .signet/published', `directory: ${join(this.dir, 'published')}`));
    return {
      SIGNET_NATS_URL: NATS_URL,
      SIGNET_CA_NAME: this.ca,
      SIGNET_DEFAULT_CA: this.ca,
      SIGNET_DATABASE_URL: this.databaseUrl,
      SIGNET_CA_KEY_PASSPHRASE_FILE: passFile,
      // Each service reads its own: the intermediary signs with the private key, ca-core verifies with the public one.
      SIGNET_FRONT_DOOR_KEY_FILE: frontDoorKey,
      SIGNET_FRONT_DOOR_KEYS_FILE: frontDoorPub,
      SIGNET_ENROLLMENT_KEYS_FILE: enrollmentKeys,
      SIGNET_ENROLLMENT_TOKEN_AUDIENCE: this.tokenAudience,
      SIGNET_CA_SUBJECT: `C=DE,O=Signet Tests,CN=Signet E2E ${this.ca}`,
      SIGNET_HTTP_HOST: '127.0.0.1',
      SIGNET_HTTP_PORT: String(this.httpPort),
      // Plain HTTP with the API unless a test asks for HTTPS (e2e/https.spec.ts): the others submit over http.
      SIGNET_TLS_MODE: 'off',
      SIGNET_HTTPS_PORT: String(this.httpsPort),
      SIGNET_ADMIN_PORT: String(this.adminPort),
      SIGNET_POLICY_FILE: join(__dirname, '..', '..', 'config', 'policy.yaml'),
      SIGNET_POLICY_TIMEOUT_MS: '3000',
      SIGNET_DISCOVERY_TTL_MS: '500',
      SIGNET_LOG_LEVEL: 'debug',
      SIGNET_EXIT_CONFIG: exitConfig,
      ...this.adminAssertionEnv(),
      ...extra,
    };
  }

  /** The assertion key files, as npm start writes them: the private key for admin-api, the public one for ca-core and exit-service. */
  private adminAssertionEnv(): NodeJS.ProcessEnv {
    const key = join(this.dir, 'admin-api-assertion.key');
    const pub = join(this.dir, 'admin-api-assertion.pub');
    writeFileSync(key, this.adminKeys.privateKeyPem, { mode: 0o600 });
    writeFileSync(pub, this.adminKeys.publicKeyPem, { mode: 0o600 });
    return { SIGNET_ADMIN_ASSERTION_KEY_FILE: key, SIGNET_ADMIN_ASSERTION_KEYS_FILE: pub };
  }

  /** `env()` for one service: admin-api's private key goes to admin-api only, as under npm start. */
  envFor(app: App, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env = this.env(extra);
    if (app !== 'admin-api') {
      delete env.SIGNET_ADMIN_ASSERTION_KEY;
      delete env.SIGNET_ADMIN_ASSERTION_KEY_FILE;
    }
    return env;
  }

  async start(extra: NodeJS.ProcessEnv = {}): Promise<void> {
    this.httpsApi = (extra.SIGNET_TLS_MODE ?? 'off') !== 'off';
    await this.prepare();
    for (const app of APPS) this.services.set(app, new ServiceProcess(app, this.envFor(app, extra), this.opts.ownSession?.includes(app) ?? false));
    await this.startAll();
  }

  /** Ports, the database and a bus connection, without starting any service (a test that starts them its own way). */
  async prepare(): Promise<void> {
    // A test may pick the intermediary's port first (URLs that point at it go into the CA's configuration).
    this.httpPort ||= await freePort();
    this.httpsPort ||= await freePort();
    this.adminPort = await freePort();
    const admin = new Client({ connectionString: ADMIN_DB_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.dbName}`);
    await admin.end();
    this.db = new Client({ connectionString: this.databaseUrl });
    await this.db.connect();
    this.nc = await connect({ servers: NATS_URL });
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
    if (this.nc) await removeJetStreamState(this.nc, this.ca).catch(() => undefined);
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

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }

  /** GET /api/v1/requests/{id} (RetrievePending) on this stack's CA, with the retrieval secret its submit answered, if given. */
  retrieve(requestId: number, retrievalSecret?: string): Promise<{ status: number; body: any }> {
    return this.get(`/api/v1/requests/${requestId}?ca=${this.ca}`, retrievalSecret ? { [RETRIEVAL_SECRET_HEADER]: retrievalSecret } : {});
  }

  /**
   * Restarts one service with extra environment on top of `env()` (e.g.
   * SIGNET_ROLE_SEPARATION=true for admin-api), and waits until it is ready.
   */
  async restart(app: App, extra: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.services.get(app)?.stop();
    const svc = new ServiceProcess(app, this.envFor(app, extra), this.opts.ownSession?.includes(app) ?? false);
    this.services.set(app, svc);
    svc.start();
    if (app === 'admin-api') await this.adminReady();
    else await this.ready();
  }

  /** admin-api answers /readyz (the bus is up and the CA answers on it). */
  async adminReady(): Promise<void> {
    await waitFor('admin-api', async () => (await fetch(`${this.adminUrl}/readyz`)).ok, 60_000).catch((e) => this.fail(e));
  }

  /** An admin token from ca-core's bootstrap command (`admin-token.js create`), as an operator would make the first one. */
  token(name: string, roles: string[]): { name: string; roles: string[]; token: string } {
    const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'apps', 'ca-core', 'admin-token.js'), 'create', '--name', name, '--roles', roles.join(',')], {
      env: { ...process.env, ...this.env() },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out) as { name: string; roles: string[]; token: string };
  }

  /** One admin-api call; `token` becomes `Authorization: Bearer`. */
  async admin(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.adminUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
  }

  async count(table: 'request' | 'certificate' | 'request_attribute' | 'request_extension' | 'serial_reservation'): Promise<number> {
    const r = await this.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    return r.rows[0].n;
  }
}

/**
 * The shared NATS keeps what a test CA left: its events, the exit modules'
 * durable consumers (exit_<ca>_...) and dead letters. Removed at close so
 * repeated runs do not pile them up.
 */
async function removeJetStreamState(nc: NatsConnection, ca: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for await (const c of jsm.consumers.list('SIGNET_EVENTS')) {
    if (c.name.startsWith(`exit_${ca}_`)) await jsm.consumers.delete('SIGNET_EVENTS', c.name).catch(() => undefined);
  }
  await jsm.streams.purge('SIGNET_EVENTS', { filter: `ca.${ca}.events.>` }).catch(() => undefined);
  await jsm.streams.purge('SIGNET_DEAD_LETTERS', { filter: `deadletters.${ca}.>` }).catch(() => undefined);
}
