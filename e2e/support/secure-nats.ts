import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { natsServerBin } from '@signet/testing';
import { freePort, ROOT, waitFor } from './processes';

export const SERVICE_USERS = ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service'] as const;
export const passwordVariable = (service: string) => `SIGNET_NATS_${service.toUpperCase().replace(/-/g, '_')}_PASSWORD`;

/**
 * A throw-away nats-server enforcing the shipped deploy/nats/nats.conf (one
 * user per service, each allowed its own subjects and inbox only), as
 * docker-compose and npm start run it, on free ports with a temporary store.
 * `passwords` holds the SIGNET_NATS_<SERVICE>_PASSWORD variables it was
 * started with.
 */
export async function startSecuredNats(): Promise<{ url: string; monitorUrl: string; passwords: Record<string, string>; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-secure-nats-'));
  const conf = readFileSync(path.join(ROOT, 'deploy', 'nats', 'nats.conf'), 'utf8').replace(/store_dir:\s*"[^"]*"/, `store_dir: "${path.join(dir, 'js')}"`);
  writeFileSync(path.join(dir, 'nats.conf'), conf);
  // A letter first: the server reads the variable as a config value.
  const passwords = Object.fromEntries(SERVICE_USERS.map((u) => [passwordVariable(u), `p${randomBytes(16).toString('hex')}`]));
  const [port, mport] = [await freePort(), await freePort()];
  let log = '';
  const server: ChildProcess = spawn(natsServerBin(), ['-c', path.join(dir, 'nats.conf'), '-a', '127.0.0.1', '-p', String(port), '-m', String(mport)], {
    env: { ...process.env, ...passwords },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  server.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const monitorUrl = `http://127.0.0.1:${mport}`;
  await waitFor('the secured nats-server', async () => {
    if (server.exitCode !== null) throw new Error(`nats-server exited:\n${log}`);
    return (await fetch(`${monitorUrl}/healthz?js-enabled-only=true`).catch(() => undefined))?.ok;
  }, 15_000, 50);
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    passwords,
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
