import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * OpenSSL as the independent judge of what ca-core produces, and as the
 * tool that makes test CSRs and imported CAs. Everything lives in a
 * scratch directory removed after the test file.
 */
export class Workdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'signet-ca-core-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, data: string | Buffer): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

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
export function makeCsr(w: Workdir, name: string, subject: string, addext: string[] = []): string {
  openssl([
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', w.path(`${name}.key`), '-out', w.path(`${name}.csr`), '-subj', subject,
    ...addext.flatMap((e) => ['-addext', e]),
  ]);
  return w.read(`${name}.csr`);
}
