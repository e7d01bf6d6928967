import { ConfigError } from '@signet/config';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('ok/defaults', () => {
    expect(loadConfig({})).toEqual({
      http: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 65_536 },
      nats: { url: 'nats://127.0.0.1:4222', user: undefined, password: undefined },
      defaultCa: undefined,
      caTimeoutMs: 15_000,
      discovery: { ttlMs: 5_000, waitMs: 250 },
      ready: { exitService: false },
      logLevel: 'log',
      tokens: { enrollment: undefined, oidc: [], clockSkewSeconds: 60 },
    });
  });

  it('ok/values', () => {
    const c = loadConfig({
      SIGNET_HTTP_HOST: '0.0.0.0',
      SIGNET_HTTP_PORT: '0',
      SIGNET_DEFAULT_CA: 'issuing-1',
      SIGNET_CA_TIMEOUT_MS: '2000',
      SIGNET_BODY_LIMIT_BYTES: '4096',
      SIGNET_DISCOVERY_TTL_MS: '0',
      SIGNET_READY_EXIT_SERVICE: 'true',
      SIGNET_LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      http: { host: '0.0.0.0', port: 0, bodyLimitBytes: 4096 },
      defaultCa: 'issuing-1',
      caTimeoutMs: 2000,
      discovery: { ttlMs: 0 },
      ready: { exitService: true },
      logLevel: 'warn',
    });
  });

  it('ok/empty default CA means none', () => {
    expect(loadConfig({ SIGNET_DEFAULT_CA: '' }).defaultCa).toBeUndefined();
  });

  it.each([
    ['port not a number', { SIGNET_HTTP_PORT: 'http' }, 'SIGNET_HTTP_PORT'],
    ['port out of range', { SIGNET_HTTP_PORT: '65536' }, 'SIGNET_HTTP_PORT'],
    ['default CA not a CA name', { SIGNET_DEFAULT_CA: 'Issuing CA' }, 'SIGNET_DEFAULT_CA'],
    ['timeout too small', { SIGNET_CA_TIMEOUT_MS: '5' }, 'SIGNET_CA_TIMEOUT_MS'],
    ['body limit negative', { SIGNET_BODY_LIMIT_BYTES: '-1' }, 'SIGNET_BODY_LIMIT_BYTES'],
    ['nats url', { SIGNET_NATS_URL: 'localhost:4222' }, 'SIGNET_NATS_URL'],
    ['log level', { SIGNET_LOG_LEVEL: 'trace' }, 'SIGNET_LOG_LEVEL'],
  ])('fail/%s names the variable', (_n, env, name) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toContain(name);
  });
});
