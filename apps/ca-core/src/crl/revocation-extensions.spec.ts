import { OID } from '@signet/x509';
import { loadRevocationConfig } from './revocation-config';
import { revocationExtensions } from './revocation-extensions';

const URLS = {
  SIGNET_CRL_URL: 'http://a.test/ca.crl',
  SIGNET_DELTA_CRL_URL: 'http://a.test/ca+.crl',
  SIGNET_OCSP_URL: 'http://a.test/ocsp',
};

describe('revocationExtensions (what every issued certificate carries)', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['ok/no URLs: nothing', {}, []],
    ['ok/every URL, no delta schedule: no Freshest CRL (it would point at a CRL that is never issued)', URLS, [OID.crlDistributionPoints, OID.authorityInfoAccess]],
    ['ok/every URL and scheduled deltas: Freshest CRL too', { ...URLS, SIGNET_DELTA_CRL_PERIOD_MINUTES: '15' }, [OID.crlDistributionPoints, OID.freshestCRL, OID.authorityInfoAccess]],
    ['ok/scheduled deltas without a delta URL: no Freshest CRL', { SIGNET_CRL_URL: URLS.SIGNET_CRL_URL, SIGNET_DELTA_CRL_PERIOD_MINUTES: '15' }, [OID.crlDistributionPoints]],
  ])('%s', (_n, env, oids) => {
    expect(revocationExtensions(loadRevocationConfig(env)).map((e) => e.oid)).toEqual(oids);
  });
});
