import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPem } from './pem';

/**
 * Test-only helpers (excluded from the build): running the independent
 * verifiers (openssl, certtool). Their files go into a ScratchDir
 * (`@signet/testing`) per test file.
 */

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

/** A self-signed certificate made by openssl (an independent encoder) with this subject and these -addext values, in `dir`. */
export function opensslCert(dir: string, exts: string[], subject = '/CN=acme'): Buffer {
  const key = join(dir, 'k.pem');
  const out = join(dir, 'c.pem');
  must('openssl', ['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', out, '-days', '1', '-subj', subject, ...exts.flatMap((e) => ['-addext', e])]);
  return fromPem(readFileSync(out, 'utf8'));
}
