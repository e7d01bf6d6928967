import { ConfigError, loadEnv } from '@signet/config';
import { ExitEnvSchema } from './config';

describe('exit-service configuration', () => {
  it('ok/defaults', () => {
    expect(loadEnv(ExitEnvSchema, {})).toMatchObject({ SIGNET_CA_NAME: 'signet', SIGNET_NATS_URL: 'nats://127.0.0.1:4222' });
  });
  it('fail/an invalid CA name stops the process at start', () => {
    expect(() => loadEnv(ExitEnvSchema, { SIGNET_CA_NAME: 'Not Valid!' })).toThrow(ConfigError);
  });
});
