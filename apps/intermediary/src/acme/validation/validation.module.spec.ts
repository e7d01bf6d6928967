import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@signet/config';
import { ChallengeValidator } from './challenge-validator';
import { NetworkChallengeValidator } from './network-validator';
import { ACME_VALIDATION_CONFIG, AcmeValidationModule } from './validation.module';

describe('AcmeValidationModule', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('SIGNET_ACME_')) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('ok/provides the network validator configured from the environment', async () => {
    process.env.SIGNET_ACME_HTTP01_PORT = '5002';
    process.env.SIGNET_ACME_DNS_RESOLVERS = '127.0.0.1:8053';
    const app = await NestFactory.createApplicationContext(AcmeValidationModule, { logger: false });
    try {
      const v = app.get(ChallengeValidator);
      expect(v).toBeInstanceOf(NetworkChallengeValidator);
      expect(app.get(ACME_VALIDATION_CONFIG)).toMatchObject({ http01Port: 5002, dnsResolvers: [{ address: '127.0.0.1', port: 8053 }], allowPrivateAddresses: false });
    } finally {
      await app.close();
    }
  });

  it('fail/a bad variable stops the module with a ConfigError', async () => {
    process.env.SIGNET_ACME_VALIDATION_TIMEOUT_MS = 'forever';
    await expect(NestFactory.createApplicationContext(AcmeValidationModule, { logger: false, abortOnError: false })).rejects.toBeInstanceOf(ConfigError);
  });

  it('ok/a malformed input is a result, never a throw', async () => {
    const v = new NetworkChallengeValidator({
      http01Port: 80,
      tlsAlpn01Port: 443,
      dnsResolvers: [],
      timeoutMs: 1_000,
      maxRedirects: 10,
      maxBodyBytes: 8_192,
      allowPrivateAddresses: false,
      allowedAddresses: [],
    });
    const bad = [
      { type: 'http-01', identifier: { type: 'dns', value: 'a.example' }, token: 'short', keyAuthorization: 'x' },
      { type: 'dns-01', identifier: null, token: 'A'.repeat(43), keyAuthorization: `${'A'.repeat(43)}.${'B'.repeat(43)}` },
      { type: 'smtp-01', identifier: { type: 'dns', value: 'a.example' }, token: 'A'.repeat(43), keyAuthorization: `${'A'.repeat(43)}.${'B'.repeat(43)}` },
    ];
    for (const input of bad) {
      const r = await v.validate(input as never);
      expect(r).toEqual({ ok: false, error: { type: 'malformed', detail: expect.any(String) } });
    }
  });
});
