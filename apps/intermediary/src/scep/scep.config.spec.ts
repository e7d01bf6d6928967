import { ConfigError } from '@signet/config';
import { loadScepConfig } from './scep.config';

describe('loadScepConfig', () => {
  it('ok/defaults: on, the default CA, the SignetScepRa template, no legacy ciphers, no single DES', () => {
    expect(loadScepConfig({})).toEqual({
      enabled: true,
      ra: { template: 'SignetScepRa', name: 'scep-ra.localhost', renewFraction: 2 / 3 },
      legacy: false,
      allowSingleDes: false,
      pending: { ttlMs: 7 * 24 * 3600 * 1000, max: 10_000 },
    });
  });

  it('ok/values', () => {
    expect(
      loadScepConfig({ SIGNET_SCEP: 'false', SIGNET_SCEP_CA: 'devices', SIGNET_SCEP_RA_NAME: 'RA.Example.localhost', SIGNET_SCEP_TEMPLATE: 'WebServer', SIGNET_SCEP_LEGACY: 'yes', SIGNET_SCEP_ALLOW_SINGLE_DES: 'true' }),
    ).toMatchObject({ enabled: false, ca: 'devices', ra: { name: 'ra.example.localhost' }, template: 'WebServer', legacy: true, allowSingleDes: true });
  });

  it('ok/state: a database and the passphrase that encrypts its secrets', () => {
    expect(loadScepConfig({ SIGNET_SCEP_DATABASE_URL: 'postgres://db/signet', SIGNET_SCEP_STATE_PASSPHRASE: 'twelve chars or more' }).state).toEqual({
      databaseUrl: 'postgres://db/signet',
      passphrase: 'twelve chars or more',
    });
  });

  it.each([
    [{ SIGNET_SCEP_DATABASE_URL: 'postgres://db/signet' }, 'SIGNET_SCEP_STATE_PASSPHRASE'],
    [{ SIGNET_SCEP_DATABASE_URL: 'postgres://db/signet', SIGNET_SCEP_STATE_PASSPHRASE: 'short' }, 'SIGNET_SCEP_STATE_PASSPHRASE'],
    [{ SIGNET_SCEP_STATE_PASSPHRASE: 'twelve chars or more' }, 'SIGNET_SCEP_DATABASE_URL'],
  ])('fail/state %j: both or neither, the passphrase long enough', (env, name) => {
    expect(() => loadScepConfig(env)).toThrow(ConfigError);
    expect(() => loadScepConfig(env)).toThrow(name);
  });

  it.each([
    ['SIGNET_SCEP_RA_NAME', 'not a name!'],
    ['SIGNET_SCEP_CA', 'Bad CA'],
    ['SIGNET_SCEP_TEMPLATE', 'a b'],
    ['SIGNET_SCEP_RA_RENEW_FRACTION', '1.5'],
    ['SIGNET_SCEP_PENDING_TTL_SECONDS', '5'],
    ['SIGNET_SCEP_LEGACY', 'maybe'],
    ['SIGNET_SCEP_ALLOW_SINGLE_DES', 'des'],
  ])('fail/%s=%s stops the start naming it', (name, value) => {
    expect(() => loadScepConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadScepConfig({ [name]: value })).toThrow(name);
  });
});
