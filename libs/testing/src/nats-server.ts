import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A nats-server of the test's own: JetStream on, an empty store, a port the kernel picked. */
export interface PrivateNats {
  readonly url: string;
  readonly storeDir: string;
  /** Stops the server and removes its store. */
  stop(): Promise<void>;
}

/** SIGNET_NATS_SERVER_BIN, else nats-server on PATH, else Debian's /usr/sbin (not on a normal user's PATH). */
export function natsServerBin(): string {
  if (process.env.SIGNET_NATS_SERVER_BIN) return process.env.SIGNET_NATS_SERVER_BIN;
  for (const d of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin']) {
    const p = join(d, 'nats-server');
    if (existsSync(p)) return p;
  }
  return 'nats-server';
}

/**
 * Starts `nats-server -js` on 127.0.0.1 with a fresh store directory and a
 * random port (`-p -1`; the port is read from its log, so no race with
 * another test picking the same one). For specs whose outcome could depend
 * on what else a shared server holds: they get a server whose whole state
 * they made.
 */
export async function startPrivateNats(opts: { timeoutMs?: number } = {}): Promise<PrivateNats> {
  const bin = natsServerBin();
  const storeDir = mkdtempSync(join(tmpdir(), 'signet-nats-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`nats-server did not come up within ${opts.timeoutMs ?? 10_000} ms:\n${log}`)), opts.timeoutMs ?? 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
      reject(e);
    };
    const onData = (b: Buffer) => {
      log += b.toString();
      const port = /Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1];
      if (port && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve(`nats://127.0.0.1:${port}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => fail(new Error(`cannot start ${bin} (Debian package nats-server): ${e.message}`)));
    child.once('exit', (code) => fail(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)));
  });
  child.removeAllListeners('exit');
  return { url, storeDir, stop: () => stopServer(child, storeDir) };
}

async function stopServer(child: ChildProcess, storeDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(storeDir, { recursive: true, force: true });
}
