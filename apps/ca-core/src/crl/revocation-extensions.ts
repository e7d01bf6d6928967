import { encodeAuthorityInfoAccess, encodeCrlDistributionPoints, encodeFreshestCrl, OID, type RawExtension } from '@signet/x509';
import { type RevocationConfig } from './revocation-config';

const cache = new WeakMap<RevocationConfig, RawExtension[]>();

/**
 * The revocation pointers the CA puts into every certificate it issues
 * (server-owned, like SKI/AKI): CRL distribution points (RFC 5280
 * 4.2.1.13), freshest CRL for the delta (4.2.1.15, only while delta CRLs
 * are issued) and authority information access with OCSP and caIssuers
 * (4.2.2.1). Each is left out when its URLs are not configured.
 * Non-critical, as RFC 5280 requires.
 */
export function revocationExtensions(rc: RevocationConfig): RawExtension[] {
  let exts = cache.get(rc);
  if (exts) return exts;
  exts = [];
  if (rc.crlUrls.length) exts.push({ oid: OID.crlDistributionPoints, critical: false, value: encodeCrlDistributionPoints(rc.crlUrls) });
  if (rc.freshestCrlUrls.length) exts.push({ oid: OID.freshestCRL, critical: false, value: encodeFreshestCrl(rc.freshestCrlUrls) });
  if (rc.ocspUrls.length || rc.caIssuersUrls.length) {
    exts.push({ oid: OID.authorityInfoAccess, critical: false, value: encodeAuthorityInfoAccess({ ocsp: rc.ocspUrls, caIssuers: rc.caIssuersUrls }) });
  }
  cache.set(rc, exts);
  return exts;
}
