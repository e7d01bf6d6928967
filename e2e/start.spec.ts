import { connect } from '@nats-io/transport-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslCsr } from './support/openssl';
import { ROOT, ServiceProcess, waitFor } from './support/processes';
import { startSecuredNats } from './support/secure-nats';
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
