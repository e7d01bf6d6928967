/*
 * What bench:issue needs besides the Signet stack: the tools (wrk, cfssl),
 * distinct P-256 CSRs, cfssl with and without its sqlite certdb, one wrk run,
 * and CPU seconds per process from /proc.
 */
import { createCsr, toPem } from '@signet/x509';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, ROOT, waitFor } from '../e2e/support/processes';

/** USER_HZ on Linux: /proc's CPU times are in these ticks. */
const TICK = 100;

/** The Debian packages the bench runs, by the command each provides. */
const TOOLS: Record<string, string> = { wrk: 'wrk', cfssl: 'golang-cfssl', sqlite3: 'sqlite3' };

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/**
 * wrk, cfssl and sqlite3 must be on the PATH. Missing ones are installed
 * with apt-get when the bench runs as root and BENCH_INSTALL is not 0;
 * otherwise the bench stops and says which packages to install.
 */
export function ensureTools(): void {
  const missing = Object.keys(TOOLS).filter((c) => !have(c));
  if (missing.length === 0) return;
  const pkgs = missing.map((c) => TOOLS[c]);
  const how = `apt-get install -y ${pkgs.join(' ')}`;
  if (process.getuid?.() !== 0 || process.env.BENCH_INSTALL === '0') throw new Error(`bench:issue needs ${missing.join(', ')}: run \`${how}\` (as root) first`);
  process.stdout.write(`bench:issue: installing ${pkgs.join(', ')} (${how})\n`);
  execFileSync('apt-get', ['install', '-y', '-q', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const still = Object.keys(TOOLS).filter((c) => !have(c));
  if (still.length) throw new Error(`bench:issue: ${still.join(', ')} still missing after \`${how}\` (try apt-get update first)`);
}

/** `n` distinct P-256 CSRs (PEM), each for its own name under `domain`, with the name as CN and DNS SAN. */
export async function distinctCsrs(n: number, domain: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const name = `host-${i}.${domain}`;
    out.push(toPem(await createCsr({ subject: [{ type: 'CN', value: name }], sans: [{ type: 'dns', value: name }], privateKey }), 'CERTIFICATE REQUEST'));
  }
  return out;
}

/** One JSON body per line, as wrk-rotate.lua reads them. */
export function writeBodies(path: string, bodies: unknown[]): string {
  writeFileSync(path, bodies.map((b) => JSON.stringify(b)).join('\n') + '\n');
  return path;
}

/**
 * The policy file the bench runs policy-service with: the shipped one
 * (config/policy.yaml), with template decisions (no pend-all), the
 * WebServer template issuing at once (no approval) and the bench's domain
 * allowed. The bench measures issuance, not a queue: whatever the shipped
 * file decides for anonymous WebServer requests, the bench says here that
 * they are issued.
 */
export function benchPolicyFile(path: string, domain: string): string {
  const policy = parse(readFileSync(join(ROOT, 'config', 'policy.yaml'), 'utf8')) as {
    dispositionMode: string;
    templates: Record<string, { requiresApproval?: boolean; enroll?: { anonymous?: string }; names?: { from?: string; unproven?: string }; san?: { dns?: { domains?: string[] } } }>;
  };
  policy.dispositionMode = 'template';
  const web = policy.templates.WebServer;
  if (!web) throw new Error('config/policy.yaml has no WebServer template; bench:issue needs one');
  web.requiresApproval = false;
  // As cfssl serves its peers here: anyone who reaches it, for the names asked (ADR 0030's
  // anonymous: issue, unproven: allow). Every other policy rule (keys, names, lint) still runs.
  web.enroll = { ...web.enroll, anonymous: 'issue' };
  web.names = { ...web.names, from: 'request', unproven: 'allow' };
  if (web.san?.dns?.domains) web.san.dns.domains = [...web.san.dns.domains, domain];
  writeFileSync(path, stringify(policy));
  return path;
}

/** cfssl's sqlite certdb schema (its certdb/sqlite migration 001; the columns this cfssl writes). */
const CFSSL_SQLITE_SCHEMA = `
CREATE TABLE certificates (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  ca_label                 blob,
  status                   blob NOT NULL,
  reason                   int,
  expiry                   timestamp,
  revoked_at               timestamp,
  pem                      blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
);
CREATE TABLE ocsp_responses (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  body                     blob NOT NULL,
  expiry                   timestamp,
  PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier)
);`;

export interface Cfssl {
  url: string;
  pid: number;
  /** Certificates in its certdb (undefined without one). */
  stored(): number | undefined;
  stop(): Promise<void>;
}

/**
 * `cfssl serve` with a P-256 CA made by openssl (ECDSA-SHA256 leaves, 90
 * days, digitalSignature + serverAuth, as Signet's WebServer template), and
 * with `withDb` a sqlite certdb that stores every certificate it signs.
 */
export async function startCfssl(dir: string, withDb: boolean): Promise<Cfssl> {
  const tag = withDb ? 'cfssl-db' : 'cfssl';
  const caKey = join(dir, `${tag}-ca-key.pem`);
  const caCert = join(dir, `${tag}-ca.pem`);
  if (!existsSync(caCert)) {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert,
      '-subj', `/O=Signet Bench/CN=${tag} CA`, '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ], { stdio: 'pipe' });
  }
  const config = join(dir, `${tag}-config.json`);
  writeFileSync(config, JSON.stringify({ signing: { default: { expiry: '2160h', usages: ['digital signature', 'server auth'] } } }));
  const args = ['serve', '-address', '127.0.0.1', '-port', String(await freePort()), '-ca', caCert, '-ca-key', caKey, '-config', config, '-loglevel', '3'];
  const db = join(dir, `${tag}.db`);
  if (withDb) {
    if (!existsSync(db)) execFileSync('sqlite3', [db], { input: CFSSL_SQLITE_SCHEMA });
    const dbConfig = join(dir, `${tag}-db.json`);
    writeFileSync(dbConfig, JSON.stringify({ driver: 'sqlite3', data_source: db }));
    args.push('-db-config', dbConfig);
  }
  const port = args[args.indexOf('-port') + 1];
  const child: ChildProcess = spawn('cfssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${tag} to listen`, async () => (await fetch(`${url}/api/v1/cfssl/info`, { method: 'POST', body: '{}' }).catch(() => undefined))?.ok ?? false, 20_000).catch((e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${err}`);
  });
  return {
    url,
    pid: child.pid!,
    stored: () => (withDb ? Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM certificates'], { encoding: 'utf8' }).trim()) : undefined),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** One closed-loop wrk run: `connections` kept-alive connections on at most 2 threads, each POSTing the next body. */
export function runWrk(url: string, bodiesFile: string, connections: number, seconds: number): Promise<{ result: WrkResult; pid: number }> {
  const threads = Math.min(2, connections);
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '60s', '-s', join(ROOT, 'bench', 'wrk-rotate.lua'), url, '--', bodiesFile];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(' ')} exited ${code}:\n${out}`));
      resolve({ result: JSON.parse(line.slice('WRKJSON '.length)) as WrkResult, pid: child.pid! });
    });
  });
}

/** utime + stime of one process, in seconds (undefined once it is gone). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return undefined;
  }
}

/** CPU seconds of the children this process has waited for (cutime + cstime): how the bench times wrk. */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}

/** CPU seconds the whole machine was busy (every process, all cores). */
export function machineBusySeconds(): number {
  const all = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return (all.reduce((a, b) => a + b, 0) - all[3] - all[4]) / TICK;
}

/**
 * The PostgreSQL processes: the backends serving `database` (their process
 * title names it), and the server's own background processes (WAL writer,
 * checkpointer, …), which work for every database on the server.
 */
export function postgresPids(database: string): { backends: number[]; background: number[] } {
  const backends: number[] = [];
  const background: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    if (!cmd.startsWith('postgres')) continue;
    // "postgres: [<cluster>: ]<user> <database> <host(port)> <state>" (Debian puts the cluster, e.g. 15/main, first).
    const title = cmd.replace(/^postgres: (\S+: )?/, '');
    if (title.split(' ')[1] === database) backends.push(Number(d));
    else if (/^(walwriter|checkpointer|background writer|autovacuum launcher|logical replication launcher|stats collector)/.test(title)) background.push(Number(d));
  }
  return { backends, background };
}

/** The process listening on a TCP port of this machine (the shared nats-server), from `ss`. */
export function listenerPid(port: number): number | undefined {
  const r = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : undefined;
}

export function machine(): Record<string, string | number> {
  const v = (cmd: string, args: string[]) => {
    // wrk prints its version and exits 1: whatever the tool printed first is its version.
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] || 'unknown';
  };
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: v('uname', ['-r']),
    node: process.version,
    nats: v('nats-server', ['--version']),
    postgres: v('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', 'SHOW server_version']),
    cfssl: v('cfssl', ['version']).replace(/^Version: /, ''),
    wrk: v('wrk', ['--version']).replace(/ Copyright.*/, ''),
    sqlite3: v('sqlite3', ['--version']).split(' ')[0],
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}
