import { type ScratchDir } from '@signet/testing';
import { spawnSync } from 'node:child_process';

/**
 * OpenSSL as the independent judge of what ca-core produces, and as the
 * tool that makes test CSRs and imported CAs. Its files live in the spec's
 * ScratchDir (`@signet/testing`), removed after the test file.
 */

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs openssl; never throws on a non-zero exit. */
export function tryOpenssl(args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): ToolResult {
  const r = spawnSync('openssl', args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs openssl and fails with its output when it does not succeed. */
export function openssl(args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): string {
  const r = tryOpenssl(args, opts);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A P-256 key and a CSR for `subject`, with extra `-addext` values; returns the CSR PEM. */
export function makeCsr(w: ScratchDir, name: string, subject: string, addext: string[] = []): string {
  openssl([
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', w.path(`${name}.key`), '-out', w.path(`${name}.csr`), '-subj', subject,
    ...addext.flatMap((e) => ['-addext', e]),
  ]);
  return w.read(`${name}.csr`);
}
