import { connect, headers, PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair, loadSigningKey, signAdminAssertion } from '@signet/assertions';
import { decodeJson, encodeJson } from '@signet/bus';
import { AdminAssertion, Commands, Inboxes } from '@signet/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslCsr } from './support/openssl';
import { ROOT, ServiceProcess, waitFor } from './support/processes';
import { passwordVariable, startSecuredNats } from './support/secure-nats';
import { Stack } from './support/stack';

// `npm start`'s last step, scripts/run-all.mjs, on its own ports, CA name,
// database and log directory (so it never meets anyone else's services):
// a short progress summary, the services' output in log files, the "ready"
// banner only once a request is really handled by the whole CA, and a
// service that dies while starting named with its reason.

const BANNER = '[signet] Signet is ready:';

class RunAll {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv, args: string[] = []) {
    this.child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-all.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (into: string[]) => {
      let rest = '';
      return (b: Buffer) => {
        const lines = (rest + b.toString()).split('\n');
        rest = lines.pop()!;
        into.push(...lines);
      };
    };
    this.child.stdout!.on('data', collect(this.out));
    this.child.stderr!.on('data', collect(this.err));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  text(): string {
    return [...this.out, ...this.err].join('\n');
  }

  async stop(): Promise<number | null> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** The environment of the running service `app` of CA `ca`, from /proc (Linux): what run-all handed it. */
function serviceEnv(app: string, ca: string): Record<string, string> | undefined {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`dist/apps/${app}/main.js`)) continue;
      const env = Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter((kv) => kv.includes('='))
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      if (env.SIGNET_CA_NAME === ca || (app === 'intermediary' && env.SIGNET_DEFAULT_CA === ca)) return env;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

const stack = new Stack();
let logDir: string;
let base: NodeJS.ProcessEnv;

beforeAll(async () => {
  await stack.prepare();
  logDir = mkdtempSync(join(tmpdir(), 'signet-start-logs-'));
  base = { ...stack.env(), SIGNET_LOG_DIR: logDir, SIGNET_STOP_TIMEOUT_MS: '15000' };
}, 60_000);
afterAll(async () => {
  await stack.close();
  rmSync(logDir, { recursive: true, force: true });
}, 60_000);

describe('npm start (scripts/run-all.mjs)', () => {
  let run: RunAll | undefined;
  let policy: ServiceProcess | undefined;

  afterEach(async () => {
    await run?.stop();
    await policy?.stop();
    run = policy = undefined;
  }, 60_000);

  it('says "ready" only once the CA with its policy module and exit-service answer; the services talk into log files', async () => {
    // Everything but the policy module: the CA runs, its policy cannot be initialized.
    run = new RunAll(base, ['--only', 'ca-core,intermediary,admin-api,exit-service']);
    await waitFor('run-all to wait for the policy module', async () => run!.out.some((l) => /^\[signet\] waiting: intermediary: .*policy module/.test(l)), 90_000, 100).catch((e) => {
      throw new Error(`${e.message}\n${run!.text()}`);
    });
    expect(run.out).not.toContain(BANNER);
    const notYet = await fetch(`${stack.baseUrl}/readyz`);
    expect(notYet.status).toBe(503);
    expect(((await notYet.json()) as { message: string }).message).toMatch(/policy module/);

    policy = new ServiceProcess('policy-service', base);
    policy.start();
    await waitFor('the banner', async () => run!.out.includes(BANNER), 60_000, 50).catch((e) => {
      throw new Error(`${e.message}\n${run!.text()}\n--- policy-service\n${policy!.log()}`);
    });
    // The moment it says so, a request is issued: not parked as POLICY_UNAVAILABLE, not refused. What
    // npm start's developer asks for: localhost under Development, issued to an anonymous requester at once
    // (WebServer holds anonymous requests for a certificate manager, ADR 0030).
    const res = await stack.submit({ csr: opensslCsr({ subject: '/CN=localhost', sans: ['DNS:localhost'] }), attributes: { CertificateTemplate: 'Development' } });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { disposition: 'issued' } });
    expect(await (await fetch(`${stack.baseUrl}/readyz`)).json()).toMatchObject({ status: 'ready', ca: stack.ca, components: { policy: 'ready', exitService: 'ready' } });

    // The terminal got a short summary, every line its own; the services' output is in their files.
    const at = run.out.indexOf(BANNER);
    expect(run.out.slice(at + 1, at + 3)).toEqual([`[signet]   intermediary  ${stack.baseUrl}/api/v1`, `[signet]   OpenAPI       ${stack.baseUrl}/api/v1/openapi.json`]);
    expect(run.out.filter((l) => !l.startsWith('[signet] '))).toEqual([]);
    expect(run.err).toEqual([]);
    expect(run.out.length).toBeLessThan(30);
    for (const app of ['ca-core', 'intermediary', 'admin-api', 'exit-service']) expect(existsSync(join(logDir, `${app}.log`))).toBe(true);
    expect(readFileSync(join(logDir, 'ca-core.log'), 'utf8')).toContain(`ca-core for CA "${stack.ca}" is serving`);
    expect(readFileSync(join(logDir, 'intermediary.log'), 'utf8')).toContain('listening on');

    expect(await run.stop()).toBe(0);
  });

  it("runs each service as its own NATS user under the shipped permissions when their passwords are set (as npm start's NATS has them), and the CA works", async () => {
    const nats = await startSecuredNats();
    try {
      run = new RunAll({ ...base, SIGNET_NATS_URL: nats.url, ...nats.passwords });
      await waitFor('the banner', async () => run!.out.includes(BANNER), 90_000, 50).catch((e) => {
        throw new Error(`${e.message}\n${run!.text()}`);
      });
      const res = await stack.submit({ csr: opensslCsr({ subject: '/CN=localhost', sans: ['DNS:localhost', 'IP:127.0.0.1'] }), attributes: { CertificateTemplate: 'Development' } });
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { disposition: 'issued' } });
      // Every service is connected as its own user; nobody gets in without one.
      const connz = (await (await fetch(`${nats.monitorUrl}/connz?auth=true`)).json()) as { connections: Array<{ authorized_user?: string }> };
      expect([...new Set(connz.connections.map((c) => c.authorized_user))].sort()).toEqual(['admin-api', 'ca-core', 'exit-service', 'intermediary', 'policy-service']);
      await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
      expect(await run.stop()).toBe(0);
    } finally {
      await run?.stop();
      await nats.stop();
    }
  });

  it("under npm start's secured NATS, only admin-api's user may send admin commands, and without admin-api's key ca-core refuses even that user (ADR 0028)", async () => {
    const nats = await startSecuredNats();
    const conns: NatsConnection[] = [];
    const as = async (user: 'intermediary' | 'admin-api') => {
      const nc = await connect({ servers: nats.url, user, pass: nats.passwords[passwordVariable(user)], inboxPrefix: Inboxes.prefix(user), reconnect: false, name: `forger-as-${user}` });
      conns.push(nc);
      return nc;
    };
    try {
      run = new RunAll({ ...base, SIGNET_NATS_URL: nats.url, ...nats.passwords });
      await waitFor('the banner', async () => run!.out.includes(BANNER), 90_000, 50).catch((e) => {
        throw new Error(`${e.message}\n${run!.text()}`);
      });
      // run-all told admin-api its key and nobody else: ca-core reads the public half.
      expect(readFileSync(join(logDir, 'ca-core.log'), 'utf8')).toMatch(/administration: trusting 1 admin-api key\(s\)/);
      for (const app of ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service']) {
        const env = serviceEnv(app, stack.ca);
        expect({ app, found: env !== undefined }).toEqual({ app, found: true });
        expect({ app, key: env?.SIGNET_ADMIN_ASSERTION_KEY_FILE }).toEqual({ app, key: app === 'admin-api' ? base.SIGNET_ADMIN_ASSERTION_KEY_FILE : undefined });
      }
      const tokens = async () => (await stack.db.query(`SELECT name FROM admin_token`)).rows.map((r: { name: string }) => r.name).sort();
      const before = await tokens();
      const body = encodeJson({ name: 'mallory', roles: ['ca-admin'] });
      const subject = Commands.adminCreateToken.subject(stack.ca);

      // Another service's user (the intermediary's, say) may not publish on an admin subject at all.
      const intermediary = await as('intermediary');
      const denied = await intermediary.request(subject, body, { timeout: 3_000 }).then(
        () => new Error('answered'),
        (e: Error) => e,
      );
      const pve = denied instanceof PermissionViolationError ? denied : denied.cause;
      expect(pve).toBeInstanceOf(PermissionViolationError);
      expect((pve as PermissionViolationError).operation).toBe('publish');

      // admin-api's own NATS user gets through to ca-core, but without admin-api's key it proves nobody.
      const adminUser = await as('admin-api');
      const bare = decodeJson((await adminUser.request(subject, body, { timeout: 5_000 })).data);
      expect(bare).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', details: { reason: 'malformed' } } });
      const h = headers();
      h.set(AdminAssertion.header, await signAdminAssertion(loadSigningKey(generateAssertionKeyPair().privateKeyPem), { ca: stack.ca, command: Commands.adminCreateToken.name, body, actor: { name: 'root', roles: ['ca-admin'] } }));
      const forged = decodeJson((await adminUser.request(subject, body, { timeout: 5_000, headers: h })).data);
      expect(forged).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', details: { reason: 'unknown-key' } } });
      expect(await tokens()).toEqual(before);

      // The first token from the bootstrap command, then admin-api (holding the key) does what the forger could not.
      const bootstrap = stack.token('first-admin', ['ca-admin']);
      const made = await stack.admin('POST', '/api/v1/tokens', bootstrap.token, { name: 'made-by-first-admin', roles: ['viewer'] });
      expect(made.status).toBe(201);
      expect(await tokens()).toEqual([...before, 'first-admin', 'made-by-first-admin'].sort());
      expect(await run.stop()).toBe(0);
    } finally {
      await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
      await run?.stop();
      await nats.stop();
    }
  });

  it('names a service that dies while starting, with its own words, stops the others and exits non-zero', async () => {
    run = new RunAll({ ...base, SIGNET_POLICY_FILE: join(logDir, 'no-such-policy.yaml') });
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.out).not.toContain(BANNER);
    const said = run.err.join('\n');
    expect(said).toMatch(/^\[signet\] policy-service exited with code 1 while starting:$/m);
    expect(said).toContain(`[signet]   | policy-service: policy file ${join(logDir, 'no-such-policy.yaml')}: cannot read it (ENOENT)`);
    expect(said).toContain(`full log: ${join(logDir, 'policy-service.log')}`);
    expect(run.out.join('\n')).toMatch(/policy-service died; stopping /);
    // Nothing is left answering for this CA.
    const res = await fetch(`${stack.baseUrl}/healthz`).catch(() => undefined);
    expect(res).toBeUndefined();
  });
});
