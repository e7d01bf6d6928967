import { envInt, loadEnv } from '@signet/config';
import { z } from 'zod';

const EnvSchema = z.object({
  /** Longest time an OCSP response is reused without news from the CA (it is dropped earlier on a certificate event or at nextUpdate). */
  SIGNET_OCSP_CACHE_TTL_SECONDS: envInt(300, 0, 86_400),
  SIGNET_OCSP_CACHE_MAX_ENTRIES: envInt(100_000, 0, 10_000_000),
  /** How often a cached CRL is compared with the CA's newest (a cheap metadata call); crl.issued events refresh sooner. */
  SIGNET_CRL_CHECK_SECONDS: envInt(60, 1, 86_400),
  /** Largest CRL the intermediary fetches and keeps in memory. */
  SIGNET_CRL_MAX_BYTES: envInt(268_435_456, 1_024, 2_147_483_647),
});

export interface RevocationEdgeConfig {
  ocspCacheTtlMs: number;
  ocspCacheMaxEntries: number;
  crlCheckMs: number;
  crlMaxBytes: number;
}

export const REVOCATION_EDGE_CONFIG = Symbol('RevocationEdgeConfig');

export function loadRevocationEdgeConfig(env: NodeJS.ProcessEnv = process.env): RevocationEdgeConfig {
  const e = loadEnv(EnvSchema, env);
  return {
    ocspCacheTtlMs: e.SIGNET_OCSP_CACHE_TTL_SECONDS * 1000,
    ocspCacheMaxEntries: e.SIGNET_OCSP_CACHE_MAX_ENTRIES,
    crlCheckMs: e.SIGNET_CRL_CHECK_SECONDS * 1000,
    crlMaxBytes: e.SIGNET_CRL_MAX_BYTES,
  };
}
