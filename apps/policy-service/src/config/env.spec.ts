import { ConfigError } from '@signet/config';
import { loadPolicyEnv, logLevelsUpTo } from './env';

describe('policy-service environment', () => {
  it('ok/defaults', () => {
    expect(loadPolicyEnv({})).toEqual({
      SIGNET_CA_NAME: 'signet',
      SIGNET_POLICY_FILE: 'config/policy.yaml',
      SIGNET_NATS_URL: 'nats://127.0.0.1:4222',
      SIGNET_LOG_LEVEL: 'log',
    });
  });

  it('ok/everything set', () => {
    const env = loadPolicyEnv({
      SIGNET_CA_NAME: 'corp-issuing-1',
      SIGNET_POLICY_FILE: '/etc/signet/policy.json',
      SIGNET_NATS_URL: 'tls://nats.internal:4222',
      SIGNET_NATS_USER: 'policy',
      SIGNET_NATS_PASSWORD: 'secret',
      SIGNET_LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({ SIGNET_CA_NAME: 'corp-issuing-1', SIGNET_NATS_USER: 'policy', SIGNET_LOG_LEVEL: 'debug' });
  });

  it.each([
    ['fail/CA name with capitals', { SIGNET_CA_NAME: 'Corp' }, 'SIGNET_CA_NAME'],
    ['fail/CA name with a dot (a subject token separator)', { SIGNET_CA_NAME: 'a.b' }, 'SIGNET_CA_NAME'],
    ['fail/empty policy path', { SIGNET_POLICY_FILE: '' }, 'SIGNET_POLICY_FILE'],
    ['fail/http URL', { SIGNET_NATS_URL: 'http://x' }, 'SIGNET_NATS_URL'],
    ['fail/log level', { SIGNET_LOG_LEVEL: 'trace' }, 'SIGNET_LOG_LEVEL'],
  ])('%s', (_n, env, variable) => {
    expect(() => loadPolicyEnv(env)).toThrow(ConfigError);
    expect(() => loadPolicyEnv(env)).toThrow(variable);
  });

  it('never echoes a secret in its error', () => {
    const err = (() => {
      try {
        loadPolicyEnv({ SIGNET_NATS_PASSWORD: '', SIGNET_CA_NAME: 'BAD' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    })();
    expect(err.message).not.toContain('BAD');
  });

  it.each([
    ['error', ['error']],
    ['log', ['error', 'warn', 'log']],
    ['verbose', ['error', 'warn', 'log', 'debug', 'verbose']],
  ] as const)('log levels up to %s', (level, expected) => {
    expect(logLevelsUpTo(level)).toEqual(expected);
  });
});
