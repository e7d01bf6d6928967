import { generateAssertionKeyPair } from '@signet/assertions';
import { ConfigError } from '@signet/config';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCaConfig } from './ca-config';

const PASS = 'correct-horse-battery';

/** The ConfigError loadCaConfig throws for `env` (fails the test if it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadCaConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('loadCaConfig accepted an invalid configuration');
}

describe('loadCaConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-ca-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the documented defaults', () => {
    const c = loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS });
    expect(c).toEqual({
      caName: 'signet',
      databaseUrl: 'postgres://signet@127.0.0.1:5432/signet',
      nats: { url: 'nats://127.0.0.1:4222', user: undefined, password: undefined },
      subject: 'O=Signet,CN=Signet signet Root CA',
      keyAlgorithm: 'ecdsa-p256',
      validityDays: 3650,
      import: undefined,
      keyPassphrase: PASS,
      isDefault: false,
      host: hostname(),
      description: '',
      maxValidityDays: 398,
      backdateSeconds: 60,
      policyTimeoutMs: 10_000,
      outboxPollMs: 250,
      idempotentWaitMs: 5_000,
      requestLeaseMs: 10_000,
      strandedSweepMs: 2_000,
      batchWindowMs: 1,
      batchMax: 64,
      allowSubordinateCa: false,
      roleSeparation: false,
    });
  });

  it('names the CA in the subject of a generated CA unless SIGNET_CA_SUBJECT says otherwise', () => {
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'issuing-2' }).subject).toBe('O=Signet,CN=Signet issuing-2 Root CA');
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'issuing-2', SIGNET_CA_SUBJECT: '' }).subject).toBe('O=Signet,CN=Signet issuing-2 Root CA');
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'issuing-2', SIGNET_CA_SUBJECT: 'CN=Mine' }).subject).toBe('CN=Mine');
    // Two CAs started with defaults only never share a subject.
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'a' }).subject).not.toBe(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'b' }).subject);
  });

  it('reads every variable', () => {
    const c = loadCaConfig({
      SIGNET_CA_KEY_PASSPHRASE: PASS,
      SIGNET_CA_NAME: 'issuing-2',
      SIGNET_DATABASE_URL: 'postgresql://ca@db:5432/ca',
      SIGNET_NATS_URL: 'tls://nats:4222',
      SIGNET_NATS_USER: 'ca-core',
      SIGNET_NATS_PASSWORD: 'bus-secret',
      SIGNET_CA_SUBJECT: 'CN=Issuing 2,O=Example',
      SIGNET_CA_KEY_ALGORITHM: 'rsa-3072',
      SIGNET_CA_VALIDITY_DAYS: '1825',
      SIGNET_CA_CERT_FILE: '/run/ca.pem',
      SIGNET_CA_KEY_FILE: '/run/ca.key',
      SIGNET_CA_CHAIN_FILE: '/run/chain.pem',
      SIGNET_CA_DEFAULT: 'true',
      SIGNET_CA_HOST: 'ca.example.net',
      SIGNET_CA_DESCRIPTION: 'the issuing CA',
      SIGNET_MAX_VALIDITY_DAYS: '90',
      SIGNET_BACKDATE_SECONDS: '0',
      SIGNET_POLICY_TIMEOUT_MS: '2500',
      SIGNET_OUTBOX_POLL_MS: '1000',
      SIGNET_IDEMPOTENT_WAIT_MS: '3000',
      SIGNET_REQUEST_LEASE_MS: '20000',
      SIGNET_STRANDED_SWEEP_MS: '500',
      SIGNET_BATCH_WINDOW_MS: '0',
      SIGNET_BATCH_MAX: '200',
      SIGNET_ALLOW_SUBORDINATE_CA: 'true',
      SIGNET_ROLE_SEPARATION: 'true',
    });
    expect(c).toEqual({
      caName: 'issuing-2',
      databaseUrl: 'postgresql://ca@db:5432/ca',
      nats: { url: 'tls://nats:4222', user: 'ca-core', password: 'bus-secret' },
      subject: 'CN=Issuing 2,O=Example',
      keyAlgorithm: 'rsa-3072',
      validityDays: 1825,
      import: { certFile: '/run/ca.pem', keyFile: '/run/ca.key', chainFile: '/run/chain.pem' },
      keyPassphrase: PASS,
      isDefault: true,
      host: 'ca.example.net',
      description: 'the issuing CA',
      maxValidityDays: 90,
      backdateSeconds: 0,
      policyTimeoutMs: 2500,
      outboxPollMs: 1000,
      idempotentWaitMs: 3_000,
      requestLeaseMs: 20_000,
      strandedSweepMs: 500,
      batchWindowMs: 0,
      batchMax: 200,
      allowSubordinateCa: true,
      roleSeparation: true,
    });
  });

  it('imports without a chain file when only certificate and key are given', () => {
    const c = loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_CERT_FILE: '/a.pem', SIGNET_CA_KEY_FILE: '/a.key' });
    expect(c.import).toEqual({ certFile: '/a.pem', keyFile: '/a.key', chainFile: undefined });
  });

  it('reads the passphrase from SIGNET_CA_KEY_PASSPHRASE_FILE (docker secret), preferring it and dropping the newline', () => {
    const file = join(dir, 'passphrase');
    writeFileSync(file, 'from-the-secret-file\n');
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE_FILE: file }).keyPassphrase).toBe('from-the-secret-file');
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE_FILE: file, SIGNET_CA_KEY_PASSPHRASE: PASS }).keyPassphrase).toBe('from-the-secret-file');
  });

  it('reads the front doors\' public keys from SIGNET_FRONT_DOOR_KEYS or its _FILE, two during a rotation', () => {
    const [a, b] = [generateAssertionKeyPair(), generateAssertionKeyPair()];
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS }).frontDoorKeys).toBeUndefined();
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_FRONT_DOOR_KEYS: a.publicKeyPem }).frontDoorKeys?.byKid.size).toBe(1);
    const file = join(dir, 'front-door-keys');
    writeFileSync(file, a.publicKeyPem + b.publicKeyPem);
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_FRONT_DOOR_KEYS_FILE: file }).frontDoorKeys?.byKid.size).toBe(2);
  });

  it('refuses front-door keys that are not Ed25519 public keys, without echoing them', () => {
    const run = (v: string) => () => loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_FRONT_DOOR_KEYS: v });
    expect(run('not-a-key-at-all')).toThrow(/SIGNET_FRONT_DOOR_KEYS: no PEM key found/);
    expect(run('not-a-key-at-all')).not.toThrow(/not-a-key-at-all/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(run(ec)).toThrow(/SIGNET_FRONT_DOOR_KEYS: key 1 must be an Ed25519 key/);
    expect(() => loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_FRONT_DOOR_KEYS_FILE: '/nonexistent/keys' })).toThrow(/SIGNET_FRONT_DOOR_KEYS_FILE: cannot read/);
  });

  it('accepts a passphrase of exactly 12 characters', () => {
    expect(loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: 'x'.repeat(12) }).keyPassphrase).toBe('x'.repeat(12));
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['missing passphrase', {}, /SIGNET_CA_KEY_PASSPHRASE \(or SIGNET_CA_KEY_PASSPHRASE_FILE\): required/],
    ['empty passphrase', { SIGNET_CA_KEY_PASSPHRASE: '' }, /SIGNET_CA_KEY_PASSPHRASE .*required/],
    ['short passphrase', { SIGNET_CA_KEY_PASSPHRASE: 'short-pass1' }, /SIGNET_CA_KEY_PASSPHRASE: must be at least 12 characters/],
    ['short passphrase from a file', { SIGNET_CA_KEY_PASSPHRASE_FILE: '<short>' }, /SIGNET_CA_KEY_PASSPHRASE: must be at least 12 characters/],
    ['unreadable passphrase file', { SIGNET_CA_KEY_PASSPHRASE_FILE: '/nonexistent/signet-passphrase' }, /SIGNET_CA_KEY_PASSPHRASE_FILE: cannot read/],
    ['only the certificate file', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_CERT_FILE: '/ca.pem' }, /SIGNET_CA_CERT_FILE and SIGNET_CA_KEY_FILE: set both/],
    ['only the key file', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_KEY_FILE: '/ca.key' }, /SIGNET_CA_CERT_FILE and SIGNET_CA_KEY_FILE: set both/],
    ['upper-case CA name', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'Signet' }, /SIGNET_CA_NAME: must match/],
    ['CA name with a dot (would split the subject)', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'a.b' }, /SIGNET_CA_NAME/],
    ['CA name with a wildcard', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'ca*' }, /SIGNET_CA_NAME/],
    ['CA name starting with a dash', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: '-ca' }, /SIGNET_CA_NAME/],
    ['CA name of 64 characters', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: 'a'.repeat(64) }, /SIGNET_CA_NAME/],
    ['empty CA name', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_NAME: '' }, /SIGNET_CA_NAME/],
    ['non-postgres database URL', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_DATABASE_URL: 'mysql://db/ca' }, /SIGNET_DATABASE_URL: must be a postgres:\/\/ URL/],
    ['unknown key algorithm', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_KEY_ALGORITHM: 'rsa-1024' }, /SIGNET_CA_KEY_ALGORITHM/],
    ['max validity of 0 days', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_MAX_VALIDITY_DAYS: '0' }, /SIGNET_MAX_VALIDITY_DAYS/],
    ['validity not a number', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_VALIDITY_DAYS: 'ten years' }, /SIGNET_CA_VALIDITY_DAYS: must be a whole number/],
    ['policy timeout too short', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_POLICY_TIMEOUT_MS: '10' }, /SIGNET_POLICY_TIMEOUT_MS/],
    ['flag not a boolean', { SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_CA_DEFAULT: 'maybe' }, /SIGNET_CA_DEFAULT/],
  ])('refuses %s, naming the variable', (_name, env, problem) => {
    if (env.SIGNET_CA_KEY_PASSPHRASE_FILE === '<short>') {
      env = { SIGNET_CA_KEY_PASSPHRASE_FILE: join(dir, 'short') };
      writeFileSync(env.SIGNET_CA_KEY_PASSPHRASE_FILE!, 'too-short\n');
    }
    const e = configError(env);
    expect(e.message).toMatch(problem);
    // The structured list names the variable too (the first word of the expected problem).
    expect(e.problems.join('\n')).toContain(problem.source.match(/SIGNET_[A-Z_]+/)![0]);
  });

  it('never echoes a secret or a bad value in the error', () => {
    const short = 'Sh0rt-s3cr3t';
    const e1 = configError({ SIGNET_CA_KEY_PASSPHRASE: short.slice(0, 11) });
    expect(e1.message).not.toContain(short.slice(0, 11));
    const e2 = configError({ SIGNET_CA_KEY_PASSPHRASE: PASS, SIGNET_DATABASE_URL: 'mysql://root:db-hunter2@db/ca' });
    expect(e2.message).not.toContain('hunter2');
    expect(e2.message).not.toContain(PASS);
  });

  it('reports every problem of one start at once', () => {
    const e = configError({ SIGNET_CA_NAME: 'Bad_Name', SIGNET_MAX_VALIDITY_DAYS: '0', SIGNET_CA_CERT_FILE: '/ca.pem' });
    const all = e.problems.join('\n');
    expect(all).toMatch(/SIGNET_CA_NAME/);
    expect(all).toMatch(/SIGNET_MAX_VALIDITY_DAYS/);
    expect(all).toMatch(/SIGNET_CA_KEY_PASSPHRASE/);
    expect(all).toMatch(/SIGNET_CA_CERT_FILE and SIGNET_CA_KEY_FILE/);
    expect(e.problems).toHaveLength(4);
  });
});
