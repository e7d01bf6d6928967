import { ConfigError, envBoolean, envInt, loadEnv } from '@signet/config';
import { checkAccessUri } from '@signet/x509';
import { z } from 'zod';

/** Comma-separated URLs; empty or unset means "omit the extension". */
const urlList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((u) => u.trim()).filter(Boolean));

const EnvSchema = z.object({
  SIGNET_CRL_URL: urlList,
  SIGNET_DELTA_CRL_URL: urlList,
  SIGNET_OCSP_URL: urlList,
  SIGNET_CA_ISSUERS_URL: urlList,
  /** How often a base CRL is issued; 0 = never on a schedule (on demand only). */
  SIGNET_CRL_PERIOD_HOURS: envInt(24, 0, 24 * 366),
  /** nextUpdate − thisUpdate of a base CRL; default: period + 50 % overlap (AD CS CRLOverlapPeriod). */
  SIGNET_CRL_VALIDITY_HOURS: envInt(0, 0, 24 * 366),
  /** How often a delta CRL is issued; 0 = never on a schedule. */
  SIGNET_DELTA_CRL_PERIOD_MINUTES: envInt(0, 0, 60 * 24 * 31),
  SIGNET_DELTA_CRL_VALIDITY_MINUTES: envInt(0, 0, 60 * 24 * 62),
  /**
   * Publish a CRL (a delta when deltas are issued, else a base) after each
   * revocation or release, so relying parties that fetch CRLs see it within
   * seconds instead of at the next scheduled CRL (ADR 0019).
   */
  SIGNET_CRL_ON_REVOKE: envBoolean(true),
  /** Days a revoked certificate stays on CRLs after it expired (RFC 5280 3.3 allows removing it then). */
  SIGNET_CRL_EXPIRED_RETENTION_DAYS: envInt(0, 0, 36500),
  /** Days old CRLs are kept in the database (the newest base and delta always are). */
  SIGNET_CRL_HISTORY_DAYS: envInt(30, 1, 36500),
  /** Who signs OCSP responses: the CA key, or a delegated responder certificate Signet issues and renews. */
  SIGNET_OCSP_SIGNER: z.enum(['ca', 'delegated']).default('ca'),
  /** Lifetime of a delegated responder certificate (short: it carries ocsp-nocheck). */
  SIGNET_OCSP_SIGNER_VALIDITY_DAYS: envInt(30, 1, 397),
  SIGNET_OCSP_SIGNER_KEY_ALGORITHM: z.enum(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072']).default('ecdsa-p256'),
  /** nextUpdate − thisUpdate of an OCSP response: how long relying parties and the edge may cache it. */
  SIGNET_OCSP_VALIDITY_MINUTES: envInt(60, 1, 60 * 24 * 7),
});

export interface RevocationConfig {
  crlUrls: string[];
  /** As configured (SIGNET_DELTA_CRL_URL); published only while deltas are issued: see freshestCrlUrls. */
  deltaCrlUrls: string[];
  /**
   * The Freshest CRL URLs certificates, base CRLs and the CA's properties
   * carry: the delta URLs while delta CRLs are issued on a schedule, none
   * otherwise (a pointer to a delta that is never issued, or goes stale,
   * is a dead link).
   */
  freshestCrlUrls: string[];
  ocspUrls: string[];
  caIssuersUrls: string[];
  /** 0 = no schedule. */
  basePeriodMs: number;
  baseValidityMs: number;
  deltaPeriodMs: number;
  deltaValidityMs: number;
  /** Delta CRLs are issued: on their schedule, and (with onRevoke) after revocations. */
  deltasEnabled: boolean;
  onRevoke: boolean;
  expiredRetentionMs: number;
  historyMs: number;
  ocspSigner: 'ca' | 'delegated';
  ocspSignerValidityMs: number;
  ocspSignerKeyAlgorithm: 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072';
  ocspValidityMs: number;
}

export const REVOCATION_CONFIG = Symbol('REVOCATION_CONFIG');

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

/** Reads and checks the revocation settings; throws ConfigError naming every bad variable. */
export function loadRevocationConfig(env: NodeJS.ProcessEnv = process.env): RevocationConfig {
  const e = loadEnv(EnvSchema, env);
  const problems: string[] = [];
  const urls = (name: keyof typeof e & `SIGNET_${string}_URL`) => {
    const list = e[name] as string[];
    if (list.length > 4) problems.push(`${name}: at most 4 URLs`);
    for (const u of list) {
      try {
        checkAccessUri(u, name);
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message.replace(`${name}: `, '')}`);
      }
    }
    return list;
  };
  const cfg: RevocationConfig = {
    crlUrls: urls('SIGNET_CRL_URL'),
    deltaCrlUrls: urls('SIGNET_DELTA_CRL_URL'),
    ocspUrls: urls('SIGNET_OCSP_URL'),
    caIssuersUrls: urls('SIGNET_CA_ISSUERS_URL'),
    basePeriodMs: e.SIGNET_CRL_PERIOD_HOURS * HOUR,
    baseValidityMs: (e.SIGNET_CRL_VALIDITY_HOURS || (e.SIGNET_CRL_PERIOD_HOURS ? Math.ceil(e.SIGNET_CRL_PERIOD_HOURS * 1.5) : 48)) * HOUR,
    deltaPeriodMs: e.SIGNET_DELTA_CRL_PERIOD_MINUTES * MINUTE,
    deltaValidityMs: (e.SIGNET_DELTA_CRL_VALIDITY_MINUTES || (e.SIGNET_DELTA_CRL_PERIOD_MINUTES ? Math.ceil(e.SIGNET_DELTA_CRL_PERIOD_MINUTES * 1.5) : 120)) * MINUTE,
    freshestCrlUrls: [],
    deltasEnabled: e.SIGNET_DELTA_CRL_PERIOD_MINUTES > 0,
    onRevoke: e.SIGNET_CRL_ON_REVOKE,
    expiredRetentionMs: e.SIGNET_CRL_EXPIRED_RETENTION_DAYS * DAY,
    historyMs: e.SIGNET_CRL_HISTORY_DAYS * DAY,
    ocspSigner: e.SIGNET_OCSP_SIGNER,
    ocspSignerValidityMs: e.SIGNET_OCSP_SIGNER_VALIDITY_DAYS * DAY,
    ocspSignerKeyAlgorithm: e.SIGNET_OCSP_SIGNER_KEY_ALGORITHM,
    ocspValidityMs: e.SIGNET_OCSP_VALIDITY_MINUTES * MINUTE,
  };
  // A CRL that expires before the next one is due leaves relying parties without status.
  if (cfg.basePeriodMs > 0 && cfg.baseValidityMs < cfg.basePeriodMs) problems.push('SIGNET_CRL_VALIDITY_HOURS: must be at least SIGNET_CRL_PERIOD_HOURS');
  if (cfg.deltaPeriodMs > 0 && cfg.deltaValidityMs < cfg.deltaPeriodMs) problems.push('SIGNET_DELTA_CRL_VALIDITY_MINUTES: must be at least SIGNET_DELTA_CRL_PERIOD_MINUTES');
  if (cfg.deltaPeriodMs > 0 && cfg.basePeriodMs > 0 && cfg.deltaPeriodMs >= cfg.basePeriodMs) problems.push('SIGNET_DELTA_CRL_PERIOD_MINUTES: must be shorter than the base CRL period');
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  cfg.freshestCrlUrls = cfg.deltasEnabled ? cfg.deltaCrlUrls : [];
  return cfg;
}

/**
 * What ca-core says at start about settings it does not follow as given:
 * npm start and docker-compose set every URL, so that turning deltas on is
 * one variable (the period); until then the delta URL stays unused.
 */
export function revocationNotices(rc: RevocationConfig): string[] {
  const notices: string[] = [];
  if (rc.deltaCrlUrls.length && !rc.deltasEnabled) {
    notices.push('delta CRLs are off (SIGNET_DELTA_CRL_PERIOD_MINUTES is 0): SIGNET_DELTA_CRL_URL is left out of certificates and CRLs');
  }
  return notices;
}
