/*
 * What the two exit benchmarks share: the receivers exit modules deliver to
 * (the shipped example webhook receiver, a hanging endpoint), CPU seconds per
 * process role from /proc, and a description of the machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, waitFor } from '../e2e/support/processes';

/** The working receiver: the shipped example (examples/webhook-receiver), in its own process (`ownSession`: and session, so it can be deprioritised). */
export async function startReceiver(secret: string, opts: { ownSession?: boolean } = {}): Promise<{ url: string; seen: () => number; stop: () => void }> {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'examples', 'webhook-receiver', 'tsconfig.json')]);
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'webhook-receiver', 'server.js')], { env: { ...process.env, PORT: String(port), SIGNET_WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'], detached: opts.ownSession ?? false });
  child.stdout!.on('data', (d) => (out += d));
  await waitFor('the webhook receiver', async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' })).status === 401);
  return { url: `http://127.0.0.1:${port}/`, seen: () => out.split('\n').filter(Boolean).length, stop: () => child.kill('SIGTERM') };
}

/** The hanging receiver: accepts connections and never answers. */
export async function startBlackHole(): Promise<{ url: string; connections: () => number; stop: () => void }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => (n++, sockets.add(s), s.on('close', () => sockets.delete(s)), s.on('error', () => undefined)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, connections: () => n, stop: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

/**
 * CPU seconds (utime + stime from /proc/<pid>/stat) per role, so a
 * difference between runs can be attributed instead of guessed. Roles: this
 * process (the load generator), each service by its script, the receivers,
 * nats-server, and PostgreSQL (postmaster and every backend); plus
 * `machine-busy` from /proc/stat. `<role> (kernel)` is the part of a role's
 * CPU spent in the kernel (system calls: sockets, files, wake-ups).
 */
export function cpuByRole(): Record<string, number> {
  const tick = 100; // USER_HZ on Linux
  const out: Record<string, number> = {};
  const add = (role: string, s: number) => (out[role] = (out[role] ?? 0) + s);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const secs = (Number(f[11]) + Number(f[12])) / tick;
      const sys = Number(f[12]) / tick;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const role = Number(pid) === process.pid ? 'load-generator' : /nats-server/.test(args) ? 'nats-server' : /^postgres/.test(args) || /postgresql/.test(args) ? 'postgres' : /dist\/apps\/([\w-]+)\/main\.js/.exec(args)?.[1] ?? (/webhook-receiver/.test(args) ? 'webhook-receiver' : /aiosmtpd|smtp/.test(args) ? 'smtp-sink' : undefined);
      if (role) {
        add(role, secs);
        add(`${role} (kernel)`, sys);
      }
    } catch {
      // the process ended while we looked
    }
  }
  const all = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  out['machine-busy'] = (all.reduce((a, b) => a + b, 0) - all[3] - all[4]) / tick;
  return out;
}

/** b − a per role, and `other-processes`: CPU of processes outside the benchmark (a run where it is large was disturbed). */
export function cpuDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) d[k] = Math.round(((b[k] ?? 0) - (a[k] ?? 0)) * 100) / 100;
  const ours = Object.entries(d).filter(([k]) => k !== 'machine-busy' && !k.endsWith(' (kernel)')).reduce((x, [, v]) => x + v, 0);
  d['other-processes'] = Math.round((d['machine-busy'] - ours) * 100) / 100;
  return d;
}

export function machine() {
  const v = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    nats: v('nats-server', ['--version']),
    postgres: v('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', 'SHOW server_version']),
  };
}
