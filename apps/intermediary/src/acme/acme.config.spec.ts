import { ConfigError } from '@signet/config';
import { loadAcmeConfig, parseProfiles } from './acme.config';

describe('ACME configuration', () => {
  it('ok/off without SIGNET_ACME_DATABASE_URL', () => {
    expect(loadAcmeConfig({ SIGNET_ACME_PROFILES: 'default=WebServer' })).toBeUndefined();
  });

  it('ok/defaults: one profile "default" on WebServer, no EAB', () => {
    const c = loadAcmeConfig({ SIGNET_ACME_DATABASE_URL: 'postgres://x/y' })!;
    expect(c.profiles).toEqual([{ name: 'default', template: 'WebServer' }]);
    expect(c.defaultProfile).toEqual({ name: 'default', template: 'WebServer' });
    expect(c.eabRequired).toBe(false);
    expect(c.baseUrl).toBeUndefined();
    expect(c.limits).toEqual({ windowSeconds: 3600, ordersPerAccount: 300, ordersPerIp: 1000, failedValidationsPerAccount: 60, failedValidationsPerIp: 200, pendingAuthzsPerAccount: 300, pendingAuthzsPerIp: 1000 });
  });

  it('ok/profiles in order, the first the default; base URL without a trailing slash', () => {
    const c = loadAcmeConfig({ SIGNET_ACME_DATABASE_URL: 'postgres://x/y', SIGNET_ACME_PROFILES: 'tls=WebServer, approval=CodeSigning', SIGNET_ACME_BASE_URL: 'https://ca.example.com/', SIGNET_ACME_EAB_REQUIRED: 'true' })!;
    expect(c.profiles.map((p) => p.name)).toEqual(['tls', 'approval']);
    expect(c.defaultProfile.template).toBe('WebServer');
    expect(c.baseUrl).toBe('https://ca.example.com');
    expect(c.eabRequired).toBe(true);
  });

  it.each([
    ['fail/no template', 'default'],
    ['fail/an upper-case profile name', 'Default=WebServer'],
    ['fail/twice the same profile', 'a=WebServer,a=CodeSigning'],
    ['fail/empty', ' , '],
    ['fail/a bad template name', 'a=Web Server'],
    ['fail/a name an ACME path has', 'order=WebServer'],
  ])('%s', (_n, text) => {
    expect(() => parseProfiles(text)).toThrow(ConfigError);
  });

  it('fail/a base URL that is not http(s)', () => {
    expect(() => loadAcmeConfig({ SIGNET_ACME_DATABASE_URL: 'postgres://x/y', SIGNET_ACME_BASE_URL: 'ftp://x' })).toThrow(ConfigError);
  });
});
