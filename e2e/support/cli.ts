import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes';
import { type Stack } from './stack';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/**
 * Runs the built `signet` CLI as a script would, against a running stack, in
 * an empty HOME. `extraEnv` goes on top (`SIGNET_CA: ''` leaves the CA to the
 * intermediary's default).
 */
export function signetCli(stack: Stack, args: string[], token?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), 'signet-cli-home-'));
  const env = { PATH: process.env.PATH, HOME: home, SIGNET_URL: stack.baseUrl, SIGNET_ADMIN_URL: stack.adminUrl, SIGNET_CA: stack.ca, ...(token ? { SIGNET_TOKEN: token } : {}), ...extraEnv };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'cli', 'main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/**
 * An officer's decision on a pending request with the CLI, as
 * docs/ENROLLMENT.md shows it: `signet resubmit <id>` (exit 0 once issued)
 * or `signet deny <id> --reason <text>` (exit 0 once denied).
 */
export function officerDecides(stack: Stack, token: string, verb: 'resubmit' | 'deny', requestId: number | string, reason = 'not this one'): Promise<CliResult> {
  return signetCli(stack, [verb, String(requestId), '--json', ...(verb === 'deny' ? ['--reason', reason] : [])], token);
}
