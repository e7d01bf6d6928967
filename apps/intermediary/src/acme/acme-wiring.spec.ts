import { type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair } from '@signet/assertions';
import { type DynamicModule } from '@nestjs/common';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { AcmeModule } from './acme.module';
import { ChallengeValidator } from './validation/challenge-validator';
import { AcmeValidationModule } from './validation/validation.module';

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

  it('ok/on with a database and no test validator: the network validators (AcmeValidationModule) do the validation', () => {
    const config = loadConfig({ ...env, SIGNET_ACME_DATABASE_URL: 'postgres://127.0.0.1/none' });
    const acme = (AppModule.register(config, nc).imports ?? []).find((m) => (m as { module?: unknown }).module === AcmeModule) as DynamicModule | undefined;
    expect(acme?.imports).toContain(AcmeValidationModule);
  });
});
