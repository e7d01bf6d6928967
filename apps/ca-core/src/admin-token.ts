import 'reflect-metadata';
import { CA_NAME_PATTERN, isSignetError, ErrorCode } from '@signet/contracts';
import { ConfigError, loadEnv } from '@signet/config';
import { userInfo } from 'node:os';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { AdminTokens, normalizeRoles, TOKEN_NAME_PATTERN } from './admin/tokens/admin-tokens';
import { AuditStore } from './audit/audit.store';
import { openDatabase } from './database/data-source';

/**
 * Bootstrap for admin tokens, run where ca-core runs (it talks to the CA
 * database directly, so it needs no token and no NATS):
 *
 *   node dist/apps/ca-core/admin-token.js create --name <name> --roles <r1,r2>
 *     → stdout: {"name":…,"roles":[…],"token":"sgt_…"}   (exit 0)
 *   node dist/apps/ca-core/admin-token.js revoke --name <name>
 *   node dist/apps/ca-core/admin-token.js list
 *
 * Reads SIGNET_DATABASE_URL and SIGNET_CA_NAME with ca-core's rules; it
 * never needs the CA key passphrase. Runs the migrations first.
 * Exit codes: 0 done, 1 failed (database, name taken, …), 2 bad arguments
 * or configuration. Only the JSON result goes to stdout.
 */

/** The part of ca-core's configuration this command needs (same names, defaults and rules). */
export const AdminTokenEnvSchema = z.object({
  SIGNET_CA_NAME: z.string().regex(CA_NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{0,62}$').default('signet'),
  SIGNET_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://signet@127.0.0.1:5432/signet'),
});

export const USAGE = `usage:
  admin-token.js create --name <name> --roles <role[,role…]>   create a token; prints {"name","roles","token"} once
  admin-token.js revoke --name <name>                          revoke a token
  admin-token.js list                                          list tokens (never the tokens themselves)
roles: ca-admin, officer, auditor, viewer
environment: SIGNET_DATABASE_URL, SIGNET_CA_NAME (as for ca-core)`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

type Parsed = { command: 'create'; name: string; roles: string[] } | { command: 'revoke'; name: string } | { command: 'list' } | { command: 'help' };

export function parseArgs(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  const opts = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const m = /^--(name|roles)(?:=(.*))?$/.exec(rest[i]);
    if (!m) throw new UsageError(`unknown argument "${rest[i].slice(0, 64)}"`);
    const value = m[2] ?? rest[++i];
    if (value === undefined || value === '') throw new UsageError(`--${m[1]} needs a value`);
    if (opts.has(m[1])) throw new UsageError(`--${m[1]} given twice`);
    opts.set(m[1], value);
  }
  const name = (): string => {
    const n = opts.get('name');
    if (!n) throw new UsageError('--name is required');
    if (!TOKEN_NAME_PATTERN.test(n)) throw new UsageError('--name: 1–128 characters of A-Z a-z 0-9 . _ @ -');
    return n;
  };
  const only = (...allowed: string[]) => {
    for (const k of opts.keys()) if (!allowed.includes(k)) throw new UsageError(`--${k} does not apply to ${command}`);
  };
  switch (command) {
    case 'create': {
      only('name', 'roles');
      const raw = opts.get('roles');
      if (!raw) throw new UsageError('--roles is required (comma-separated)');
      const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
      try {
        normalizeRoles(roles);
      } catch (e) {
        throw new UsageError(`--roles: ${(e as Error).message}`);
      }
      return { command, name: name(), roles };
    }
    case 'revoke':
      only('name');
      return { command, name: name() };
    case 'list':
      only();
      return { command };
    default:
      throw new UsageError(`unknown command "${command.slice(0, 64)}"`);
  }
}

function cliActor(): string {
  try {
    return `admin-token-cli:${userInfo().username}`;
  } catch {
    return 'admin-token-cli';
  }
}

/** The command behind the file; returns the exit code. */
export async function runAdminTokenCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let parsed: Parsed;
  let cfg: z.output<typeof AdminTokenEnvSchema>;
  try {
    parsed = parseArgs(argv);
    if (parsed.command === 'help') {
      io.err(USAGE);
      return argv.length === 0 ? 2 : 0;
    }
    cfg = loadEnv(AdminTokenEnvSchema, env);
  } catch (e) {
    if (e instanceof UsageError) io.err(`admin-token: ${e.message}\n${USAGE}`);
    else if (e instanceof ConfigError) io.err(`admin-token: ${e.message}`);
    else throw e;
    return 2;
  }

  // TypeORM reports migrations on console.log; stdout carries only the result.
  const log = console.log;
  const info = console.info;
  console.log = (...a: unknown[]) => io.err(a.map(String).join(' '));
  console.info = console.log;
  let ds: DataSource | undefined;
  try {
    ds = await openDatabase(cfg.SIGNET_DATABASE_URL);
    const tokens = new AdminTokens(ds, new AuditStore(ds), cfg.SIGNET_CA_NAME);
    if (parsed.command === 'create') {
      io.out(JSON.stringify(await tokens.create(cliActor(), parsed.name, parsed.roles)));
    } else if (parsed.command === 'revoke') {
      await tokens.revoke(cliActor(), parsed.name);
      io.out(JSON.stringify({ name: parsed.name, revoked: true }));
    } else {
      io.out(JSON.stringify({ tokens: await tokens.list() }));
    }
    return 0;
  } catch (e) {
    if (isSignetError(e) && e.code === ErrorCode.BadMessage) {
      io.err(`admin-token: ${e.message}`);
      return 2;
    }
    io.err(`admin-token: ${isSignetError(e) ? e.message : `failed: ${(e as Error)?.message ?? String(e)}`}`);
    return 1;
  } finally {
    console.log = log;
    console.info = info;
    await ds?.destroy().catch(() => undefined);
  }
}

if (require.main === module) {
  runAdminTokenCli(process.argv.slice(2), process.env, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`admin-token: failed: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
