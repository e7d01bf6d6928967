import { type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair } from '@signet/assertions';
import { ConfigError } from '@signet/config';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { AcmeModule } from './acme.module';
import { ChallengeValidator } from './validation/challenge-validator';

describe('ACME in the application (ADR 0035)', () => {
  const env = { SIGNET_FRONT_DOOR_KEY: generateAssertionKeyPair().privateKeyPem, SIGNET_TLS_MODE: 'off' };
  // register() only describes the modules; nothing connects, so no connection is needed.
  const nc = {} as NatsConnection;
  const acmeIn = (imports: unknown[] | undefined) => (imports ?? []).some((m) => (m as { module?: unknown }).module === AcmeModule);

  it('ok/off without SIGNET_ACME_DATABASE_URL: no ACME module, no database', () => {
    expect(acmeIn(AppModule.register(loadConfig(env), nc).imports)).toBe(false);
  });

  it('ok/on with a database and a validator', () => {
    class Accepting extends ChallengeValidator {
      async validate(): Promise<{ ok: true }> {
        return { ok: true };
      }
    }
    const config = loadConfig({ ...env, SIGNET_ACME_DATABASE_URL: 'postgres://127.0.0.1/none' });
    expect(acmeIn(AppModule.register(config, nc, { challengeValidator: new Accepting() }).imports)).toBe(true);
  });

  it('fail/configured but without challenge validators: stops at start, naming the variable', () => {
    const config = loadConfig({ ...env, SIGNET_ACME_DATABASE_URL: 'postgres://127.0.0.1/none' });
    expect(() => AppModule.register(config, nc)).toThrow(ConfigError);
    expect(() => AppModule.register(config, nc)).toThrow(/SIGNET_ACME_DATABASE_URL: .*no challenge validators/);
  });
});
