import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test-only helpers (excluded from the build): a scratch directory per test
 * file and a way to run the independent verifiers (openssl, certtool).
 * Keys generated here live only in the scratch directory.
 */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'signet-x509-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, data: string | Buffer): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RunResult {
  status: number | null;
  out: string;
}

/** Run a tool, capturing stdout+stderr; never throws on a non-zero exit. */
export function run(cmd: string, args: string[], input?: Buffer | string): RunResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Run a tool that must succeed; returns stdout. */
export function must(cmd: string, args: string[], input?: Buffer | string): string {
  return execFileSync(cmd, args, { input, encoding: 'utf8', timeout: 60_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * certtool comes from gnutls-bin, which may still be installing when the
 * tests first run: wait for it rather than skip the check.
 */
export async function waitForTool(cmd: string, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${cmd} is not installed`);
}
