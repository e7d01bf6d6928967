import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadSigningKey, loadVerifyKeys } from '@signet/assertions';

// docker-compose.yml: valid for Docker Compose (Debian's docker-compose 1.29,
// or the `docker compose` plugin), wired to the same entry points as
// scripts/run-all.mjs, one NATS user per service, the CA passphrase as a
// secret file. No Docker engine is needed: `config` only resolves the file.
//
// The placeholders it resolves with are documented in
// deploy/compose.env.example (passwords) and deploy/secrets/README.md (the
// passphrase file).

const ROOT = path.resolve(__dirname, '..', '..');
const ENV_EXAMPLE = path.join(ROOT, 'deploy', 'compose.env.example');

function findCompose(): string[] | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(path.join(dir, 'docker-compose'))) return [path.join(dir, 'docker-compose')];
  }
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (plugin.status === 0) return ['docker', 'compose'];
  return undefined;
}

const COMPOSE = findCompose();
if (!COMPOSE) {
  // scripts/ensure-services.sh installs Debian's docker-compose wherever it can (root + apt).
  console.warn('compose.spec: SKIPPED: neither docker-compose nor the docker compose plugin is installed, and it could not be installed on this machine');
}
const describeWithCompose = COMPOSE ? describe : describe.skip;

/** Runs `compose --env-file <file> config` with no SIGNET_/COMPOSE_ variables inherited. */
function composeConfig(envFile: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNET_') && !k.startsWith('COMPOSE_')));
  const [cmd, ...pre] = COMPOSE!;
  return spawnSync(cmd, [...pre, '--env-file', envFile, '-f', path.join(ROOT, 'docker-compose.yml'), 'config'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

interface RunAllService {
  name: string;
  entry: string;
  env?: Record<string, string>;
}

describeWithCompose('docker-compose.yml', () => {
  let config: any;
  const runAll: RunAllService[] = JSON.parse(
    spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-all.mjs'), '--list'], { encoding: 'utf8' }).stdout,
  );
  const example = readEnvFile(ENV_EXAMPLE);

  beforeAll(() => {
    const r = composeConfig(ENV_EXAMPLE);
    if (r.status !== 0) throw new Error(`compose config failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
    config = parse(r.stdout);
  });

  it('resolves with the documented placeholders', () => {
    expect(Object.keys(config.services).sort()).toEqual(
      ['admin-api', 'ca-core', 'exit-service', 'intermediary', 'nats', 'policy-service', 'postgres'].sort(),
    );
  });

  it('fails, naming the variable, when a password is not given', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-compose-'));
    try {
      const empty = path.join(dir, 'empty.env');
      writeFileSync(empty, '');
      const r = composeConfig(empty);
      expect(r.status).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/SIGNET_(NATS_[A-Z_]+|DB)_PASSWORD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs every app with the entry point scripts/run-all.mjs uses, each exactly once', () => {
    expect(runAll.map((s) => s.name).sort()).toEqual(['admin-api', 'ca-core', 'exit-service', 'intermediary', 'policy-service']);
    const appServices = Object.entries<any>(config.services).filter(([, s]) => s.build);
    expect(appServices.map(([name]) => name).sort()).toEqual(runAll.map((s) => s.name).sort());
    for (const [name, svc] of appServices) {
      const entry = runAll.find((s) => s.name === name)?.entry;
      expect({ name, command: svc.command }).toEqual({ name, command: ['node', entry] });
    }
  });

  it('gives each app the defaults scripts/run-all.mjs gives it; exit-service gives way to the CA by the deployment\'s means (nice 19 there, the lowest CPU share here)', () => {
    expect(runAll.find((s) => s.name === 'exit-service')).toMatchObject({ nice: 19 });
    expect(config.services['exit-service'].cpu_shares).toBe(2);
    expect(Object.keys(config.services['exit-service'].environment)).not.toContain('SIGNET_EXIT_CPU_PRIORITY');
    for (const { name, env } of runAll) {
      for (const [k, v] of Object.entries(env ?? {})) expect({ name, [k]: config.services[name].environment[k] }).toEqual({ name, [k]: v });
    }
  });

  it('gives each app its own NATS user from deploy/nats/nats.conf, with that user\'s password', () => {
    const natsConf = readFileSync(path.join(ROOT, 'deploy', 'nats', 'nats.conf'), 'utf8');
    // Only configured users count; commented examples in the file do not.
    const active = natsConf.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    const confUsers = [...active.matchAll(/user:\s*"([^"]+)",\s*password:\s*\$([A-Z0-9_]+)/g)].map((m) => ({ user: m[1], env: m[2] }));
    expect(confUsers.map((u) => u.user).sort()).toEqual(runAll.map((s) => s.name).sort());
    for (const { name } of runAll) {
      const env = config.services[name].environment;
      const confUser = confUsers.find((u) => u.user === name)!;
      expect({ name, user: env.SIGNET_NATS_USER, url: env.SIGNET_NATS_URL }).toEqual({ name, user: name, url: 'nats://nats:4222' });
      expect(env.SIGNET_NATS_PASSWORD).toBe(example[confUser.env]);
      expect(config.services.nats.environment[confUser.env]).toBe(example[confUser.env]);
    }
    expect(config.services.nats.command).toEqual(['-c', '/etc/nats/nats.conf']);
    expect(config.services.nats.volumes.join('\n')).toContain('deploy/nats/nats.conf:/etc/nats/nats.conf:ro');
  });

  it('hands ca-core the key passphrase as a secret file, never as a value', () => {
    const core = config.services['ca-core'];
    expect(core.environment.SIGNET_CA_KEY_PASSPHRASE).toBeUndefined();
    expect(core.environment.SIGNET_CA_KEY_PASSPHRASE_FILE).toBe('/run/secrets/ca_key_passphrase');
    expect(core.secrets.map((s: any) => (typeof s === 'string' ? s : s.source))).toContain('ca_key_passphrase');
    expect(config.secrets.ca_key_passphrase.file).toMatch(/deploy\/secrets\/ca-key-passphrase$/);
    for (const svc of Object.values<any>(config.services)) {
      expect(Object.keys(svc.environment ?? {}).filter((k) => k === 'SIGNET_CA_KEY_PASSPHRASE')).toEqual([]);
    }
  });

  it('hands the front-door key to the intermediary alone, and its public half to ca-core, as secret files (ADR 0026)', () => {
    const sources = (svc: any) => (svc.secrets ?? []).map((s: any) => (typeof s === 'string' ? s : s.source));
    expect(config.services.intermediary.environment.SIGNET_FRONT_DOOR_KEY_FILE).toBe('/run/secrets/front_door_key');
    expect(sources(config.services.intermediary)).toEqual(['front_door_key']);
    expect(config.services['ca-core'].environment.SIGNET_FRONT_DOOR_KEYS_FILE).toBe('/run/secrets/front_door_keys');
    expect(sources(config.services['ca-core'])).toContain('front_door_keys');
    expect(config.secrets.front_door_key.file).toMatch(/deploy\/secrets\/front-door\.key$/);
    expect(config.secrets.front_door_keys.file).toMatch(/deploy\/secrets\/front-door\.pub$/);
    for (const [name, svc] of Object.entries<any>(config.services)) {
      if (name !== 'intermediary') expect({ name, secrets: sources(svc) }).toEqual({ name, secrets: expect.not.arrayContaining(['front_door_key']) });
      expect({ name, inline: Object.keys(svc.environment ?? {}).filter((k) => k === 'SIGNET_FRONT_DOOR_KEY') }).toEqual({ name, inline: [] });
    }
  });

  it("gives admin-api its assertion key as a secret of its own, and ca-core and exit-service only the public key (ADR 0028)", () => {
    const secretsOf = (svc: any): string[] => (svc.secrets ?? []).map((s: any) => (typeof s === 'string' ? s : s.source));
    expect(config.services['admin-api'].environment.SIGNET_ADMIN_ASSERTION_KEY_FILE).toBe('/run/secrets/admin_assertion_key');
    expect(secretsOf(config.services['admin-api'])).toEqual(['admin_assertion_key']);
    expect(config.services['ca-core'].environment.SIGNET_ADMIN_ASSERTION_KEYS_FILE).toBe('/run/secrets/admin_assertion_public_keys');
    expect(secretsOf(config.services['ca-core'])).toContain('admin_assertion_public_keys');
    // exit-service checks the dead-letter commands' assertions with the same public keys.
    expect(config.services['exit-service'].environment.SIGNET_ADMIN_ASSERTION_KEYS_FILE).toBe('/run/secrets/admin_assertion_public_keys');
    expect(secretsOf(config.services['exit-service'])).toEqual(['admin_assertion_public_keys']);
    expect(config.secrets.admin_assertion_key.file).toMatch(/deploy\/secrets\/admin-api-assertion\.key$/);
    expect(config.secrets.admin_assertion_public_keys.file).toMatch(/deploy\/secrets\/admin-api-assertion\.pub$/);
    for (const [name, svc] of Object.entries<any>(config.services)) {
      if (name !== 'admin-api') expect({ name, secrets: secretsOf(svc) }).not.toEqual({ name, secrets: expect.arrayContaining(['admin_assertion_key']) });
      expect({ name, keys: Object.keys(svc.environment ?? {}).filter((k) => k === 'SIGNET_ADMIN_ASSERTION_KEY') }).toEqual({ name, keys: [] });
    }
  });

  it('starts apps only once NATS (and PostgreSQL for ca-core) are healthy; HTTP apps have health checks', () => {
    expect(config.services.nats.healthcheck.test.join(' ')).toContain('healthz?js-enabled-only=true');
    expect(config.services.postgres.healthcheck.test).toContain('pg_isready');
    expect(config.services['ca-core'].depends_on).toMatchObject({
      nats: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    for (const { name } of runAll) {
      expect(config.services[name].depends_on.nats).toEqual({ condition: 'service_healthy' });
    }
    for (const [name, port, hostVar] of [
      ['intermediary', 8080, 'SIGNET_HTTP_HOST'],
      ['admin-api', 8081, 'SIGNET_ADMIN_HOST'],
    ] as const) {
      // Inside a container the default 127.0.0.1 would be unreachable through the published port.
      expect(config.services[name].environment[hostVar]).toBe('0.0.0.0');
      const hc = config.services[name].healthcheck.test.join(' ');
      expect(hc).toContain(`http://127.0.0.1:${port}/healthz`);
      expect(JSON.stringify(config.services[name].ports)).toContain(String(port));
    }
  });
});

/**
 * The README's "With Docker" block, one command a line, comments dropped:
 * what a newcomer types in a clean clone.
 */
function readmeDockerSteps(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- docker-steps[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no <!-- docker-steps --> block');
  return block[1]
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** The files a clean clone has: what git tracks, as they are in this work tree. */
function cleanCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-clone-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue; // deleted in the work tree, not yet committed
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dir, f));
  }
  return dir;
}

describeWithCompose("the README's Docker steps, in a clean copy of the repository", () => {
  const steps = readmeDockerSteps();
  const runAll: RunAllService[] = JSON.parse(spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-all.mjs'), '--list'], { encoding: 'utf8' }).stdout);
  const shellEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNET_') && !k.startsWith('COMPOSE_')));
  let dir: string;
  let config: any;

  beforeAll(() => {
    dir = cleanCopy();
    expect(existsSync(path.join(dir, '.env'))).toBe(false);
    for (const step of steps.filter((s) => !/ up --build$/.test(s))) {
      // Changing a file's owner needs root, as the README says; elsewhere only check that the file is there.
      const cmd = step.startsWith('chown ') && process.getuid?.() !== 0 ? `test -f ${step.split(' ').pop()}` : step;
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', cmd], { cwd: dir, env: shellEnv, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`README step failed (${r.status}): ${step}\n${r.stderr}${r.stdout}`);
    }
    // `up` as written, with `config` instead: resolve the file the way `up` would, no Docker engine needed.
    const [cmd, ...pre] = COMPOSE!;
    const r = spawnSync(cmd, [...pre, 'config'], { cwd: dir, env: shellEnv, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${COMPOSE!.join(' ')} config failed (${r.status}) after the README's steps:\n${r.stderr}\n${r.stdout}`);
    config = parse(r.stdout);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ends with `up --build` for Compose v2 and for v1, nothing else after', () => {
    expect(steps.slice(-2)).toEqual(['docker compose up --build', 'docker-compose up --build']);
    expect(steps.some((s) => s.startsWith('cp deploy/compose.env.example .env'))).toBe(true);
  });

  it('leaves the env file and the passphrase secret where the compose file looks for them', () => {
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe(readFileSync(ENV_EXAMPLE, 'utf8'));
    const secret = path.join(dir, 'deploy', 'secrets', 'ca-key-passphrase');
    expect(readFileSync(secret, 'utf8').trim().length).toBeGreaterThanOrEqual(12);
    expect(statSync(secret).mode & 0o077).toBe(0);
    expect(config.secrets.ca_key_passphrase.file).toBe(secret);
    const key = path.join(dir, 'deploy', 'secrets', 'front-door.key');
    expect(statSync(key).mode & 0o077).toBe(0);
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(path.join(dir, 'deploy', 'secrets', 'front-door.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(config.secrets.front_door_key.file).toBe(key);
  });

  it("leaves admin-api's assertion key pair where the compose file looks for it, the private key readable by its owner only", () => {
    const key = path.join(dir, 'deploy', 'secrets', 'admin-api-assertion.key');
    const pub = path.join(dir, 'deploy', 'secrets', 'admin-api-assertion.pub');
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(statSync(key).mode & 0o077).toBe(0);
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(config.secrets.admin_assertion_key.file).toBe(key);
    expect(config.secrets.admin_assertion_public_keys.file).toBe(pub);
    // The two halves of one Ed25519 pair, in the formats admin-api and ca-core read.
    const { kid } = loadSigningKey(readFileSync(key, 'utf8'), 'SIGNET_ADMIN_ASSERTION_KEY');
    expect([...loadVerifyKeys(readFileSync(pub, 'utf8'), 'SIGNET_ADMIN_ASSERTION_KEYS').byKid.keys()]).toEqual([kid]);
  });

  it('resolves every service, the apps with the entry points and defaults scripts/run-all.mjs uses', () => {
    expect(Object.keys(config.services).sort()).toEqual(['admin-api', 'ca-core', 'exit-service', 'intermediary', 'nats', 'policy-service', 'postgres']);
    for (const { name, entry, env } of runAll) {
      expect({ name, command: config.services[name].command }).toEqual({ name, command: ['node', entry] });
      for (const [k, v] of Object.entries(env ?? {})) expect({ name, [k]: config.services[name].environment[k] }).toEqual({ name, [k]: v });
    }
    expect(config.services.intermediary.environment.SIGNET_READY_EXIT_SERVICE).toBe('true');
  });
});
