import { generateAssertionKeyPair } from '@signet/assertions';
import { ConfigError } from '@signet/config';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig as load } from './config';

const KEY = generateAssertionKeyPair();
/** With the front-door key every start needs, unless the case is about it. */
const loadConfig = (env: NodeJS.ProcessEnv) => load({ SIGNET_FRONT_DOOR_KEY: KEY.privateKeyPem, ...env });

describe('loadConfig', () => {
  it('ok/defaults', () => {
    expect(loadConfig({})).toEqual({
      frontDoorKey: expect.objectContaining({ kid: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) }),
      http: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 65_536, trustProxy: false },
      nats: { url: 'nats://127.0.0.1:4222', user: undefined, password: undefined },
      defaultCa: undefined,
      caTimeoutMs: 15_000,
      discovery: { ttlMs: 5_000, waitMs: 250 },
      ready: { exitService: false },
      logLevel: 'log',
      tokens: { enrollment: undefined, oidc: [], clockSkewSeconds: 60 },
      tls: expect.objectContaining({ mode: 'self-issued' }),
      est: { labels: new Map(), retryAfterSeconds: 60 },
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

  it('ok/the front-door key from SIGNET_FRONT_DOOR_KEY_FILE (a Docker secret), preferred to the variable', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-fd-')), 'key');
    const other = generateAssertionKeyPair();
    writeFileSync(file, other.privateKeyPem);
    const fromFile = load({ SIGNET_FRONT_DOOR_KEY_FILE: file, SIGNET_FRONT_DOOR_KEY: KEY.privateKeyPem }).frontDoorKey;
    expect(fromFile.kid).toBe(load({ SIGNET_FRONT_DOOR_KEY: other.privateKeyPem }).frontDoorKey.kid);
    expect(fromFile.kid).not.toBe(load({ SIGNET_FRONT_DOOR_KEY: KEY.privateKeyPem }).frontDoorKey.kid);
  });

  it.each([
    ['no front-door key', {}, /SIGNET_FRONT_DOOR_KEY \(or SIGNET_FRONT_DOOR_KEY_FILE\): required/],
    ['a front-door key that is no key', { SIGNET_FRONT_DOOR_KEY: 'secret-looking-text' }, /SIGNET_FRONT_DOOR_KEY is not a PEM private key/],
    ['a front-door key that is not Ed25519', { SIGNET_FRONT_DOOR_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, /SIGNET_FRONT_DOOR_KEY must be an Ed25519 key, not ec/],
    ['an unreadable key file', { SIGNET_FRONT_DOOR_KEY_FILE: '/nonexistent/front-door.key' }, /SIGNET_FRONT_DOOR_KEY_FILE: cannot read/],
  ])('fail/%s, named with the other problems and never echoed', (_n, env, problem) => {
    let err: unknown;
    try {
      load({ SIGNET_HTTP_PORT: 'http', ...env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(problem);
    expect(text).toContain('SIGNET_HTTP_PORT');
    expect((err as Error).message).not.toContain('secret-looking-text');
    expect((err as Error).message).not.toContain('PRIVATE KEY');
  });

  it.each([
    ['port not a number', { SIGNET_HTTP_PORT: 'http' }, 'SIGNET_HTTP_PORT'],
    ['port out of range', { SIGNET_HTTP_PORT: '65536' }, 'SIGNET_HTTP_PORT'],
    ['default CA not a CA name', { SIGNET_DEFAULT_CA: 'Issuing CA' }, 'SIGNET_DEFAULT_CA'],
    ['timeout too small', { SIGNET_CA_TIMEOUT_MS: '5' }, 'SIGNET_CA_TIMEOUT_MS'],
    ['body limit negative', { SIGNET_BODY_LIMIT_BYTES: '-1' }, 'SIGNET_BODY_LIMIT_BYTES'],
    ['nats url', { SIGNET_NATS_URL: 'localhost:4222' }, 'SIGNET_NATS_URL'],
    ['log level', { SIGNET_LOG_LEVEL: 'trace' }, 'SIGNET_LOG_LEVEL'],
    ['trusting every proxy', { SIGNET_TRUST_PROXY: 'true' }, 'SIGNET_TRUST_PROXY'],
    ['a proxy that is no address', { SIGNET_TRUST_PROXY: 'proxy.example' }, 'SIGNET_TRUST_PROXY'],
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

describe('loadConfig: HTTPS (ADR 0029)', () => {
  it('ok/defaults: self-issued on 8443 for localhost and loopback, API over HTTPS only, client certificates asked for', () => {
    expect(loadConfig({}).tls).toEqual({
      mode: 'self-issued',
      host: '127.0.0.1',
      port: 8443,
      apiOverHttp: false,
      names: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ],
      template: 'SignetService',
      keyAlgorithm: 'ecdsa-p256',
      renewFraction: 2 / 3,
      clientAuth: true,
      filesPollMs: 30_000,
    });
  });

  it('ok/files mode follows from SIGNET_TLS_CERT_FILE', () => {
    expect(loadConfig({ SIGNET_TLS_CERT_FILE: '/c.pem', SIGNET_TLS_KEY_FILE: '/k.pem', SIGNET_TLS_CHAIN_FILE: '/ch.pem' }).tls).toMatchObject({
      mode: 'files',
      files: { cert: '/c.pem', key: '/k.pem', chain: '/ch.pem' },
    });
  });

  it('ok/off serves the API on plain HTTP; on, it may be asked for', () => {
    expect(loadConfig({ SIGNET_TLS_MODE: 'off' }).tls.apiOverHttp).toBe(true);
    expect(loadConfig({ SIGNET_HTTP_API: 'true' }).tls.apiOverHttp).toBe(true);
  });

  it('ok/values', () => {
    expect(
      loadConfig({
        SIGNET_HTTP_HOST: '0.0.0.0',
        SIGNET_HTTPS_PORT: '0',
        SIGNET_TLS_NAMES: 'pki.example.com, 192.0.2.7',
        SIGNET_TLS_CA: 'issuing-1',
        SIGNET_TLS_TEMPLATE: 'Web.Server-2',
        SIGNET_TLS_KEY_ALGORITHM: 'rsa-3072',
        SIGNET_TLS_RENEW_FRACTION: '0.5',
        SIGNET_TLS_CLIENT_AUTH: 'false',
      }).tls,
    ).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      names: [
        { type: 'dns', value: 'pki.example.com' },
        { type: 'ip', value: '192.0.2.7' },
      ],
      ca: 'issuing-1',
      template: 'Web.Server-2',
      keyAlgorithm: 'rsa-3072',
      renewFraction: 0.5,
      clientAuth: false,
    });
  });

  it.each([
    ['fail/files without a key', { SIGNET_TLS_MODE: 'files', SIGNET_TLS_CERT_FILE: '/c.pem' }, 'SIGNET_TLS_KEY_FILE'],
    ['fail/files without a certificate', { SIGNET_TLS_MODE: 'files' }, 'SIGNET_TLS_CERT_FILE'],
    ['fail/a certificate file that self-issued would ignore', { SIGNET_TLS_MODE: 'self-issued', SIGNET_TLS_CERT_FILE: '/c.pem' }, 'SIGNET_TLS_CERT_FILE'],
    ['fail/no listener for the API', { SIGNET_TLS_MODE: 'off', SIGNET_HTTP_API: 'false' }, 'SIGNET_HTTP_API'],
    ['fail/a wildcard name', { SIGNET_TLS_NAMES: '*.example.com' }, 'SIGNET_TLS_NAMES'],
    ['fail/no names', { SIGNET_TLS_NAMES: ' , ' }, 'SIGNET_TLS_NAMES'],
    ['fail/an unknown mode', { SIGNET_TLS_MODE: 'acme' }, 'SIGNET_TLS_MODE'],
    ['fail/a renewal fraction of 1', { SIGNET_TLS_RENEW_FRACTION: '1' }, 'SIGNET_TLS_RENEW_FRACTION'],
    ['fail/a renewal fraction of 0', { SIGNET_TLS_RENEW_FRACTION: '0' }, 'SIGNET_TLS_RENEW_FRACTION'],
  ])('%s', (_n, env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
