import { connect, type NatsConnection } from '@nats-io/transport-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../apps/ca-core/src/testing-api';
import { waitFor } from '@signet/testing';

/**
 * Shared by bench/crl.bench.ts and bench/ocsp.bench.ts: a throw-away
 * database migrated by ca-core's own migrations, services started from
 * dist/ as separate processes (so their peak memory is their own), and the
 * machine description every result carries.
 */

export const ROOT = join(__dirname, '..', '..', '..');
export const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
export const PG_ADMIN_URL = process.env.SIGNET_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Not a secret: it only protects the throw-away key of a benchmark CA. */
export const BENCH_PASSPHRASE = 'bench-revocation-not-a-secret';

export function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

export function option(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
  return v;
}

export function databaseUrl(db: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A fresh database with ca-core's schema. */
export async function freshDatabase(db: string): Promise<Client> {
  if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error('database names are plain lower-case identifiers');
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  await (await openDatabase(databaseUrl(db))).destroy();
  const c = new Client({ connectionString: databaseUrl(db) });
  await c.connect();
  return c;
}

export async function dropDatabase(db: string): Promise<void> {
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}

/** A Signet service from dist/, with its output kept for failure messages. */
export class Service {
  readonly child: ChildProcess;
  private readonly out: string[] = [];

  constructor(app: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'main.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      this.out.push(b.toString());
      if (this.out.length > 500) this.out.splice(0, 100);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  log(): string {
    return this.out.join('').slice(-4000);
  }

  /** Peak and current resident set size (VmHWM / VmRSS), MiB. */
  memory(): { peakMiB: number; currentMiB: number } {
    const s = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s*(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { peakMiB: Math.round(kb('VmHWM') / 1024), currentMiB: Math.round(kb('VmRSS') / 1024) };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  }
}

/** Polls until `fn` gives a truthy value (libs/testing's waitFor, with the benches' longer default). */
export function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, fn, timeoutMs);
}

export function connectNats(): Promise<NatsConnection> {
  return connect({ servers: NATS_URL, name: 'signet-bench-revocation' });
}

export async function machine(pg: Client): Promise<Record<string, unknown>> {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  const nats = spawnSync('sh', ['-c', 'nats-server --version 2>/dev/null || /usr/sbin/nats-server --version'], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu,
    node: process.version,
    openssl: spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim(),
    nats: nats || 'unknown',
    postgres: (await pg.query(`SHOW server_version`)).rows[0].server_version,
  };
}

export function writeResult(name: string, result: unknown): string {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const p = join(dir, `${name}.json`);
  writeFileSync(p, `${JSON.stringify(result, null, 2)}\n`);
  return p;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
