import { ConfigError, envBoolean, envInt, loadEnv, readSecret } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';
import { MIN_PASSPHRASE_LENGTH, isValidDnsName } from '@signet/x509';
import { z } from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));
const templateName = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a template name');

/**
 * The SCEP front door's settings (RFC 8894, ADR 0040), validated when the
 * module is built at start: a bad value stops the process naming it.
 */
export const ScepEnvSchema = z.object({
  /** Serve SCEP at /scep and /cgi-bin/pkiclient.exe. */
  SIGNET_SCEP: envBoolean(true),
  /** The CA SCEP enrolls with; default: the default CA. */
  SIGNET_SCEP_CA: optionalText.pipe(CaNameSchema.optional()),
  /** The template of the RA certificate the intermediary asks its CA for (RSA, digitalSignature + keyEncipherment). */
  SIGNET_SCEP_RA_TEMPLATE: templateName.default('SignetScepRa'),
  /** The RA certificate's DNS name (its CN and only SAN); the RA template must allow it. */
  SIGNET_SCEP_RA_NAME: z
    .string()
    .default('scep-ra.localhost')
    .refine((n) => isValidDnsName(n), 'must be a DNS name'),
  /** Renew the RA certificate when this fraction of its lifetime has passed. */
  SIGNET_SCEP_RA_RENEW_FRACTION: z
    .string()
    .regex(/^(0?\.\d+)$/, 'must be a fraction between 0 and 1, e.g. 0.667')
    .optional()
    .transform((v) => (v === undefined ? 2 / 3 : Number(v)))
    .pipe(z.number().gt(0).lt(1)),
  /** Template for requests whose identity names none (RenewalReq: a client certificate carries no template); unset: the policy's default. */
  SIGNET_SCEP_TEMPLATE: optionalText.pipe(templateName.optional()),
  /** Legacy clients: accept and advertise 3DES content encryption (single DES only with SIGNET_SCEP_ALLOW_SINGLE_DES). */
  SIGNET_SCEP_LEGACY: envBoolean(false),
  /** Accept single-DES (56-bit) request envelopes, never advertised, answered with AES (ADR 0040): for clients that can send nothing else. */
  SIGNET_SCEP_ALLOW_SINGLE_DES: envBoolean(false),
  /** How long a pending transaction is remembered for CertPoll. */
  SIGNET_SCEP_PENDING_TTL_SECONDS: envInt(7 * 24 * 3600, 60, 90 * 24 * 3600),
  /** Most pending transactions remembered at once (memory bound; the oldest is dropped). */
  SIGNET_SCEP_PENDING_MAX: envInt(10_000, 1, 1_000_000),
});

export interface ScepConfig {
  enabled: boolean;
  ca?: string;
  ra: { template: string; name: string; renewFraction: number };
  template?: string;
  legacy: boolean;
  allowSingleDes: boolean;
  pending: { ttlMs: number; max: number };
  /**
   * Where the RA key and the pending transactions live when several
   * replicas share them and a restart keeps them (ADR 0040): the `scep`
   * schema of this database, secrets encrypted under the passphrase.
   * Unset: held in memory, for one replica.
   */
  state?: { databaseUrl: string; passphrase: string };
}

export function loadScepConfig(env: NodeJS.ProcessEnv = process.env): ScepConfig {
  const e = loadEnv(ScepEnvSchema, env);
  return {
    enabled: e.SIGNET_SCEP,
    ...(e.SIGNET_SCEP_CA ? { ca: e.SIGNET_SCEP_CA } : {}),
    ra: { template: e.SIGNET_SCEP_RA_TEMPLATE, name: e.SIGNET_SCEP_RA_NAME.toLowerCase(), renewFraction: e.SIGNET_SCEP_RA_RENEW_FRACTION },
    ...(e.SIGNET_SCEP_TEMPLATE ? { template: e.SIGNET_SCEP_TEMPLATE } : {}),
    legacy: e.SIGNET_SCEP_LEGACY,
    allowSingleDes: e.SIGNET_SCEP_ALLOW_SINGLE_DES,
    pending: { ttlMs: e.SIGNET_SCEP_PENDING_TTL_SECONDS * 1000, max: e.SIGNET_SCEP_PENDING_MAX },
    ...stateOf(env),
  };
}

/** SIGNET_SCEP_DATABASE_URL and SIGNET_SCEP_STATE_PASSPHRASE (or their _FILE forms): both or neither. */
function stateOf(env: NodeJS.ProcessEnv): Pick<ScepConfig, 'state'> {
  const databaseUrl = readSecret(env, 'SIGNET_SCEP_DATABASE_URL');
  const passphrase = readSecret(env, 'SIGNET_SCEP_STATE_PASSPHRASE');
  if (!databaseUrl && !passphrase) return {};
  if (!databaseUrl) throw new ConfigError('SIGNET_SCEP_STATE_PASSPHRASE is set without SIGNET_SCEP_DATABASE_URL: give both, or neither', ['SIGNET_SCEP_DATABASE_URL']);
  if (!passphrase || passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new ConfigError(`SIGNET_SCEP_DATABASE_URL needs SIGNET_SCEP_STATE_PASSPHRASE (or _FILE), at least ${MIN_PASSPHRASE_LENGTH} characters: it encrypts the RA key and the retrieval secrets at rest`, [
      'SIGNET_SCEP_STATE_PASSPHRASE',
    ]);
  }
  return { state: { databaseUrl, passphrase } };
}

export const SCEP_CONFIG = Symbol('ScepConfig');

/** The SCEP state store (ADR 0040), when SIGNET_SCEP_DATABASE_URL configures one; null otherwise. */
export const SCEP_STORE = Symbol('ScepStateStore');
