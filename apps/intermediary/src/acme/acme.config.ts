import { CaNameSchema } from '@signet/contracts';
import { ConfigError, envBoolean, envInt, loadEnv, readSecret } from '@signet/config';
import { z } from 'zod';
import { type AcmeLimits } from './rate-limits';

/**
 * The ACME front door's settings (ADR 0035). ACME is on only when
 * SIGNET_ACME_DATABASE_URL (or _FILE) names its database: without it the
 * intermediary starts as before, with no database at all.
 */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const TEMPLATE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Path segments of /acme/ that a profile's directory (/acme/<profile>/directory) must not shadow. */
const RESERVED_PROFILE_NAMES = ['directory', 'new-nonce', 'new-account', 'new-order', 'key-change', 'revoke-cert', 'renewal-info', 'acct', 'order', 'authz', 'chall', 'cert'];

export const AcmeEnvSchema = z.object({
  /** Profiles: `name=Template` pairs, comma-separated; the first is the default. Only these templates are reachable through ACME. */
  SIGNET_ACME_PROFILES: z.string().default('default=WebServer'),
  /** The CA ACME orders go to; default: the default CA. */
  SIGNET_ACME_CA: optionalText.pipe(CaNameSchema.optional()),
  /** The URL clients reach the intermediary at (`https://ca.example.com`); default: from each request's Host. Account URLs (the requester's principal) are built on it. */
  SIGNET_ACME_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  SIGNET_ACME_TERMS_OF_SERVICE: optionalText.pipe(z.url().optional()),
  SIGNET_ACME_WEBSITE: optionalText.pipe(z.url().optional()),
  /** Accounts must be bound to an external account key (RFC 8555 7.3.4) made by the operator. */
  SIGNET_ACME_EAB_REQUIRED: envBoolean(false),
  /** Largest JWS body, in bytes (a CSR travels inside finalize's). */
  SIGNET_ACME_MAX_JWS_BYTES: envInt(32_768, 1_024, 262_144),
  SIGNET_ACME_NONCE_TTL_SECONDS: envInt(3_600, 10, 86_400),
  SIGNET_ACME_ORDER_TTL_SECONDS: envInt(7 * 86_400, 60, 30 * 86_400),
  /** Largest number of identifiers in one order. */
  SIGNET_ACME_MAX_IDENTIFIERS: envInt(100, 1, 100),
  /** A validation still processing after this long (its replica died or hung) may be started again by a POST to the challenge. */
  SIGNET_ACME_VALIDATION_TIMEOUT_SECONDS: envInt(300, 1, 86_400),
  /** Rate limits (0: none): new orders and failed validations per window, pending authorisations at once; per account and per client address. */
  SIGNET_ACME_RATE_WINDOW_SECONDS: envInt(3_600, 1, 86_400),
  SIGNET_ACME_LIMIT_ORDERS_PER_ACCOUNT: envInt(300, 0, 1_000_000),
  SIGNET_ACME_LIMIT_ORDERS_PER_IP: envInt(1_000, 0, 1_000_000),
  SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_ACCOUNT: envInt(60, 0, 1_000_000),
  SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_IP: envInt(200, 0, 1_000_000),
  SIGNET_ACME_LIMIT_PENDING_AUTHZS_PER_ACCOUNT: envInt(300, 0, 1_000_000),
  SIGNET_ACME_LIMIT_PENDING_AUTHZS_PER_IP: envInt(1_000, 0, 1_000_000),
});

export interface AcmeProfile {
  name: string;
  template: string;
}

export interface AcmeConfig {
  databaseUrl: string;
  profiles: AcmeProfile[];
  /** profiles[0]: what an order that names no profile gets. */
  defaultProfile: AcmeProfile;
  ca?: string;
  baseUrl?: string;
  termsOfService?: string;
  website?: string;
  eabRequired: boolean;
  maxJwsBytes: number;
  nonceTtlSeconds: number;
  orderTtlSeconds: number;
  maxIdentifiers: number;
  validationTimeoutSeconds: number;
  limits: AcmeLimits;
}

export function parseProfiles(text: string): AcmeProfile[] {
  const profiles: AcmeProfile[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, template, ...rest] = item.split('=').map((s) => s.trim());
    if (rest.length || !name || !template || !PROFILE_NAME.test(name) || !TEMPLATE_NAME.test(template)) {
      throw new ConfigError(`SIGNET_ACME_PROFILES: "${item}" is not name=Template (name: a-z, 0-9, -)`, ['SIGNET_ACME_PROFILES']);
    }
    if (RESERVED_PROFILE_NAMES.includes(name)) throw new ConfigError(`SIGNET_ACME_PROFILES: "${name}" is an ACME path, not a profile name`, ['SIGNET_ACME_PROFILES']);
    if (profiles.some((p) => p.name === name)) throw new ConfigError(`SIGNET_ACME_PROFILES: profile "${name}" given twice`, ['SIGNET_ACME_PROFILES']);
    profiles.push({ name, template });
  }
  if (!profiles.length) throw new ConfigError('SIGNET_ACME_PROFILES: at least one profile (name=Template)', ['SIGNET_ACME_PROFILES']);
  return profiles;
}

/** Undefined when ACME is off (no SIGNET_ACME_DATABASE_URL). */
export function loadAcmeConfig(env: NodeJS.ProcessEnv): AcmeConfig | undefined {
  const databaseUrl = readSecret(env, 'SIGNET_ACME_DATABASE_URL');
  if (!databaseUrl) return undefined;
  const e = loadEnv(AcmeEnvSchema, env);
  const profiles = parseProfiles(e.SIGNET_ACME_PROFILES);
  return {
    databaseUrl,
    profiles,
    defaultProfile: profiles[0],
    ca: e.SIGNET_ACME_CA,
    baseUrl: e.SIGNET_ACME_BASE_URL?.replace(/\/+$/, ''),
    termsOfService: e.SIGNET_ACME_TERMS_OF_SERVICE,
    website: e.SIGNET_ACME_WEBSITE,
    eabRequired: e.SIGNET_ACME_EAB_REQUIRED,
    maxJwsBytes: e.SIGNET_ACME_MAX_JWS_BYTES,
    nonceTtlSeconds: e.SIGNET_ACME_NONCE_TTL_SECONDS,
    orderTtlSeconds: e.SIGNET_ACME_ORDER_TTL_SECONDS,
    maxIdentifiers: e.SIGNET_ACME_MAX_IDENTIFIERS,
    validationTimeoutSeconds: e.SIGNET_ACME_VALIDATION_TIMEOUT_SECONDS,
    limits: {
      windowSeconds: e.SIGNET_ACME_RATE_WINDOW_SECONDS,
      ordersPerAccount: e.SIGNET_ACME_LIMIT_ORDERS_PER_ACCOUNT,
      ordersPerIp: e.SIGNET_ACME_LIMIT_ORDERS_PER_IP,
      failedValidationsPerAccount: e.SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_ACCOUNT,
      failedValidationsPerIp: e.SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_IP,
      pendingAuthzsPerAccount: e.SIGNET_ACME_LIMIT_PENDING_AUTHZS_PER_ACCOUNT,
      pendingAuthzsPerIp: e.SIGNET_ACME_LIMIT_PENDING_AUTHZS_PER_IP,
    },
  };
}
