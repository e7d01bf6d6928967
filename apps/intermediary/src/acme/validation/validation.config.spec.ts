import { ConfigError } from '@signet/config';
import { loadAcmeValidationConfig, parseDnsServer } from './validation.config';

describe('loadAcmeValidationConfig', () => {
  it('ok/defaults', () => {
    expect(loadAcmeValidationConfig({})).toEqual({
      http01Port: 80,
      tlsAlpn01Port: 443,
      dnsResolvers: [],
      timeoutMs: 10_000,
      maxRedirects: 10,
      maxBodyBytes: 8_192,
      allowPrivateAddresses: false,
      allowedAddresses: [],
    });
  });

  it('ok/values', () => {
    expect(
      loadAcmeValidationConfig({
        SIGNET_ACME_HTTP01_PORT: '5002',
        SIGNET_ACME_TLSALPN01_PORT: '5001',
        SIGNET_ACME_DNS_RESOLVERS: '127.0.0.1:8053, [::1]:5353,9.9.9.9,2620:fe::fe',
        SIGNET_ACME_VALIDATION_TIMEOUT_MS: '2000',
        SIGNET_ACME_HTTP01_MAX_REDIRECTS: '0',
        SIGNET_ACME_HTTP01_MAX_BODY_BYTES: '1024',
        SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES: 'true',
        SIGNET_ACME_ALLOWED_ADDRESSES: '10.1.0.0/16,fd00::/8',
      }),
    ).toEqual({
      http01Port: 5002,
      tlsAlpn01Port: 5001,
      dnsResolvers: [
        { address: '127.0.0.1', port: 8053 },
        { address: '::1', port: 5353 },
        { address: '9.9.9.9', port: 53 },
        { address: '2620:fe::fe', port: 53 },
      ],
      timeoutMs: 2000,
      maxRedirects: 0,
      maxBodyBytes: 1024,
      allowPrivateAddresses: true,
      allowedAddresses: [
        { address: '10.1.0.0', prefix: 16 },
        { address: 'fd00::', prefix: 8 },
      ],
    });
  });

  it('fail/every bad variable is named at once', () => {
    let err: unknown;
    try {
      loadAcmeValidationConfig({
        SIGNET_ACME_HTTP01_PORT: '0',
        SIGNET_ACME_TLSALPN01_PORT: '70000',
        SIGNET_ACME_DNS_RESOLVERS: 'dns.example:53',
        SIGNET_ACME_VALIDATION_TIMEOUT_MS: 'soon',
        SIGNET_ACME_HTTP01_MAX_REDIRECTS: '50',
        SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES: 'maybe',
        SIGNET_ACME_ALLOWED_ADDRESSES: '10.0.0.0/40',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const v of [
      'SIGNET_ACME_HTTP01_PORT',
      'SIGNET_ACME_TLSALPN01_PORT',
      'SIGNET_ACME_DNS_RESOLVERS',
      'SIGNET_ACME_VALIDATION_TIMEOUT_MS',
      'SIGNET_ACME_HTTP01_MAX_REDIRECTS',
      'SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES',
      'SIGNET_ACME_ALLOWED_ADDRESSES',
    ]) {
      expect(problems).toContain(v);
    }
  });

  it.each(['127.0.0.1:0', '127.0.0.1:65536', '[127.0.0.1]:53', '::1:53x', 'localhost', '1.2.3'])('fail/parseDnsServer %s', (text) => {
    expect(parseDnsServer(text)).toBeUndefined();
  });
});
