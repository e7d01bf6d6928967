import { ConfigError } from '@signet/config';
import { loadRevocationConfig, revocationNotices } from './revocation-config';

const H = 3_600_000;

describe('loadRevocationConfig', () => {
  it('ok/defaults: daily base CRL valid 36 h and one after each revocation, no deltas, CA-signed OCSP valid an hour, no URLs', () => {
    expect(loadRevocationConfig({})).toMatchObject({
      crlUrls: [],
      deltaCrlUrls: [],
      freshestCrlUrls: [],
      ocspUrls: [],
      caIssuersUrls: [],
      basePeriodMs: 24 * H,
      baseValidityMs: 36 * H,
      deltaPeriodMs: 0,
      deltasEnabled: false,
      onRevoke: true,
      expiredRetentionMs: 0,
      ocspSigner: 'ca',
      ocspValidityMs: H,
    });
  });

  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['ok/URL lists, trimmed, empty entries dropped', { SIGNET_CRL_URL: ' http://a.test/ca.crl , ldap://l.test/cn=x ,', SIGNET_OCSP_URL: '' }, { crlUrls: ['http://a.test/ca.crl', 'ldap://l.test/cn=x'], ocspUrls: [] }],
    // No dead link: a delta URL alone is not published while no deltas are issued.
    ['ok/a delta URL without a delta schedule is not published', { SIGNET_DELTA_CRL_URL: 'http://a.test/ca+.crl' }, { deltasEnabled: false, deltaPeriodMs: 0, deltaCrlUrls: ['http://a.test/ca+.crl'], freshestCrlUrls: [] }],
    ['ok/scheduled deltas with their validity', { SIGNET_DELTA_CRL_PERIOD_MINUTES: '30' }, { deltasEnabled: true, deltaPeriodMs: 30 * 60_000, deltaValidityMs: 45 * 60_000, freshestCrlUrls: [] }],
    ['ok/scheduled deltas publish their URL', { SIGNET_DELTA_CRL_PERIOD_MINUTES: '15', SIGNET_DELTA_CRL_URL: 'http://a.test/ca+.crl' }, { deltasEnabled: true, freshestCrlUrls: ['http://a.test/ca+.crl'] }],
    ['ok/schedule off: on-demand CRLs are valid 48 h', { SIGNET_CRL_PERIOD_HOURS: '0' }, { basePeriodMs: 0, baseValidityMs: 48 * H }],
    ['ok/explicit validity', { SIGNET_CRL_PERIOD_HOURS: '12', SIGNET_CRL_VALIDITY_HOURS: '13' }, { basePeriodMs: 12 * H, baseValidityMs: 13 * H }],
    ['ok/delegated OCSP signer', { SIGNET_OCSP_SIGNER: 'delegated', SIGNET_OCSP_SIGNER_VALIDITY_DAYS: '7' }, { ocspSigner: 'delegated', ocspSignerValidityMs: 7 * 24 * H }],
    ['ok/on revoke', { SIGNET_CRL_ON_REVOKE: 'true' }, { onRevoke: true }],
    ['ok/not on revoke', { SIGNET_CRL_ON_REVOKE: 'false' }, { onRevoke: false }],
  ])('%s', (_n, env, expected) => expect(loadRevocationConfig(env)).toMatchObject(expected));

  it('says at start that a delta URL is left out while deltas are off, and only then', () => {
    expect(revocationNotices(loadRevocationConfig({ SIGNET_DELTA_CRL_URL: 'http://a.test/ca+.crl' }))).toEqual([expect.stringMatching(/SIGNET_DELTA_CRL_PERIOD_MINUTES is 0.*SIGNET_DELTA_CRL_URL is left out/)]);
    expect(revocationNotices(loadRevocationConfig({ SIGNET_DELTA_CRL_URL: 'http://a.test/ca+.crl', SIGNET_DELTA_CRL_PERIOD_MINUTES: '15' }))).toEqual([]);
    expect(revocationNotices(loadRevocationConfig({}))).toEqual([]);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['fail/file URL', { SIGNET_CRL_URL: 'file:///etc/crl' }, /SIGNET_CRL_URL/],
    ['fail/not a URL', { SIGNET_OCSP_URL: 'ocsp.example' }, /SIGNET_OCSP_URL/],
    ['fail/five URLs', { SIGNET_CA_ISSUERS_URL: 'http://a/1,http://a/2,http://a/3,http://a/4,http://a/5' }, /at most 4/],
    ['fail/validity shorter than the period', { SIGNET_CRL_PERIOD_HOURS: '24', SIGNET_CRL_VALIDITY_HOURS: '12' }, /SIGNET_CRL_VALIDITY_HOURS/],
    ['fail/delta period not shorter than the base period', { SIGNET_CRL_PERIOD_HOURS: '1', SIGNET_DELTA_CRL_PERIOD_MINUTES: '60' }, /SIGNET_DELTA_CRL_PERIOD_MINUTES/],
    ['fail/negative period', { SIGNET_CRL_PERIOD_HOURS: '-1' }, /SIGNET_CRL_PERIOD_HOURS/],
    ['fail/unknown signer', { SIGNET_OCSP_SIGNER: 'hsm' }, /SIGNET_OCSP_SIGNER/],
    ['fail/OCSP validity 0', { SIGNET_OCSP_VALIDITY_MINUTES: '0' }, /SIGNET_OCSP_VALIDITY_MINUTES/],
  ])('%s', (_n, env, problem) => {
    expect(() => loadRevocationConfig(env)).toThrow(ConfigError);
    expect(() => loadRevocationConfig(env)).toThrow(problem);
  });
});
