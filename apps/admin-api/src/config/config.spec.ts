import { generateAssertionKeyPair } from '@signet/assertions';
import { ConfigError } from '@signet/config';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';

const KEY = generateAssertionKeyPair().privateKeyPem;

describe('loadConfig', () => {
  it('ok/defaults', () => {
    expect(loadConfig({ SIGNET_ADMIN_ASSERTION_KEY: KEY })).toEqual({
      caName: 'signet',
      http: { host: '127.0.0.1', port: 8081, bodyLimitBytes: 65_536 },
      nats: { url: 'nats://127.0.0.1:4222', user: undefined, password: undefined },
      roleSeparation: false,
      caTimeoutMs: 15_000,
      authCacheMs: 10_000,
      authFailures: { limit: 10, windowMs: 60_000, maxSources: 10_000 },
      trustProxy: false,
      exportMaxRows: 50_000,
      logLevel: 'log',
      assertionKey: { kid: expect.any(String), key: expect.anything() },
    });
  });

  it('ok/the assertion key from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-admin-key-'));
    writeFileSync(join(dir, 'key.pem'), KEY);
    expect(loadConfig({ SIGNET_ADMIN_ASSERTION_KEY_FILE: join(dir, 'key.pem') }).assertionKey.key.asymmetricKeyType).toBe('ed25519');
  });

  it('fail/the assertion key is required, must be Ed25519, and is never echoed', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems({})).toContain('SIGNET_ADMIN_ASSERTION_KEY (or SIGNET_ADMIN_ASSERTION_KEY_FILE): required');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const m = problems({ SIGNET_ADMIN_ASSERTION_KEY: ec });
    expect(m).toContain('SIGNET_ADMIN_ASSERTION_KEY must be an Ed25519 key');
    expect(m).not.toContain(ec.split('\n')[1]);
    expect(problems({ SIGNET_ADMIN_ASSERTION_KEY_FILE: '/nonexistent/key.pem' })).toContain('SIGNET_ADMIN_ASSERTION_KEY_FILE: cannot read');
  });

  it('ok/values', () => {
    const c = loadConfig({
      SIGNET_ADMIN_ASSERTION_KEY: KEY,
      SIGNET_CA_NAME: 'issuing-1',
      SIGNET_ADMIN_HOST: '0.0.0.0',
      SIGNET_ADMIN_PORT: '0',
      SIGNET_ROLE_SEPARATION: 'true',
      SIGNET_CA_TIMEOUT_MS: '2000',
      SIGNET_AUTH_CACHE_MS: '0',
      SIGNET_EXPORT_MAX_ROWS: '10',
      SIGNET_AUTH_FAILURE_LIMIT: '0',
      SIGNET_AUTH_FAILURE_WINDOW_SECONDS: '300',
      SIGNET_AUTH_FAILURE_SOURCES: '50',
      SIGNET_ADMIN_TRUST_PROXY: 'loopback,10.0.0.0/8',
    });
    expect(c).toMatchObject({
      authFailures: { limit: 0, windowMs: 300_000, maxSources: 50 },
      trustProxy: ['loopback', '10.0.0.0/8'],
      caName: 'issuing-1',
      http: { host: '0.0.0.0', port: 0 },
      roleSeparation: true,
      caTimeoutMs: 2000,
      authCacheMs: 0,
      exportMaxRows: 10,
    });
  });

  it.each([
    ['log level', { SIGNET_LOG_LEVEL: 'trace' }, 'SIGNET_LOG_LEVEL'],
    ['CA name', { SIGNET_CA_NAME: 'Issuing CA' }, 'SIGNET_CA_NAME'],
    ['port out of range', { SIGNET_ADMIN_PORT: '65536' }, 'SIGNET_ADMIN_PORT'],
    ['role separation not a flag', { SIGNET_ROLE_SEPARATION: 'maybe' }, 'SIGNET_ROLE_SEPARATION'],
    ['auth cache over 30 s', { SIGNET_AUTH_CACHE_MS: '30001' }, 'SIGNET_AUTH_CACHE_MS'],
    ['timeout too small', { SIGNET_CA_TIMEOUT_MS: '5' }, 'SIGNET_CA_TIMEOUT_MS'],
    ['export cap zero', { SIGNET_EXPORT_MAX_ROWS: '0' }, 'SIGNET_EXPORT_MAX_ROWS'],
    ['nats url', { SIGNET_NATS_URL: 'localhost:4222' }, 'SIGNET_NATS_URL'],
    ['failure limit over 100', { SIGNET_AUTH_FAILURE_LIMIT: '101' }, 'SIGNET_AUTH_FAILURE_LIMIT'],
    ['failure window zero', { SIGNET_AUTH_FAILURE_WINDOW_SECONDS: '0' }, 'SIGNET_AUTH_FAILURE_WINDOW_SECONDS'],
    ['no sources tracked', { SIGNET_AUTH_FAILURE_SOURCES: '0' }, 'SIGNET_AUTH_FAILURE_SOURCES'],
    ['trusting every proxy', { SIGNET_ADMIN_TRUST_PROXY: 'true' }, 'SIGNET_ADMIN_TRUST_PROXY'],
  ])('fail/%s names the variable', (_n, env, name) => {
    let err: unknown;
    try {
      loadConfig({ SIGNET_ADMIN_ASSERTION_KEY: KEY, ...env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toContain(name);
  });
});
