import { CaNameSchema, type San } from '@signet/contracts';
import { envBoolean, envInt, loadEnv, ConfigError } from '@signet/config';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The HTTPS listener's settings (ADR 0029), validated with the rest of the
 * intermediary's environment at boot.
 */
export const TLS_MODES = ['self-issued', 'files', 'off'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** Key algorithms the intermediary makes its own TLS key with (those libs/x509 signs a CSR with). */
export const TLS_KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072'] as const;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

export const TlsEnvSchema = z.object({
  /** `self-issued` (default): a certificate from this CA, made at start and renewed; `files`: SIGNET_TLS_CERT_FILE/KEY_FILE; `off`: no HTTPS. */
  SIGNET_TLS_MODE: z
    .enum([...TLS_MODES, ''])
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  SIGNET_HTTPS_HOST: optionalText,
  /** 0 asks the OS for a free port; the bound port is logged. */
  SIGNET_HTTPS_PORT: envInt(8443, 0, 65_535),
  /** Serve the JSON API on plain HTTP too. Default: only when HTTPS is off. */
  SIGNET_HTTP_API: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : ['true', '1', 'yes'].includes(v))),
  SIGNET_TLS_CERT_FILE: optionalText,
  SIGNET_TLS_KEY_FILE: optionalText,
  SIGNET_TLS_CHAIN_FILE: optionalText,
  /** Files mode: how often the three files are checked for a change (a renewed certificate is served without a restart); 0: never. */
  SIGNET_TLS_FILES_POLL_MS: envInt(30_000, 0, 86_400_000),
  /** The names of the self-issued certificate: DNS names and IP addresses, comma-separated. */
  SIGNET_TLS_NAMES: z.string().default('localhost,127.0.0.1,::1'),
  /** The CA that issues the self-issued certificate; default: the default CA. */
  SIGNET_TLS_CA: optionalText.pipe(CaNameSchema.optional()),
  SIGNET_TLS_TEMPLATE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a template name')
    .default('SignetService'),
  SIGNET_TLS_KEY_ALGORITHM: z.enum(TLS_KEY_ALGORITHMS).default('ecdsa-p256'),
  /** Renew when this fraction of the certificate's lifetime has passed. */
  SIGNET_TLS_RENEW_FRACTION: z
    .string()
    .regex(/^(0?\.\d+|0)$/, 'must be a fraction between 0 and 1, e.g. 0.667')
    .optional()
    .transform((v) => (v === undefined ? 2 / 3 : Number(v)))
    .pipe(z.number().gt(0).lt(1)),
  /** Ask TLS clients for a certificate (optional for them: one issued by this CA authenticates). */
  SIGNET_TLS_CLIENT_AUTH: envBoolean(true),
});

export interface TlsConfig {
  mode: TlsMode;
  host: string;
  port: number;
  /** Whether the JSON API is served on the plain HTTP listener as well. */
  apiOverHttp: boolean;
  files?: { cert: string; key: string; chain?: string };
  /** Files mode: the period of the check for changed files, in ms; 0: read at start only. */
  filesPollMs: number;
  /** Self-issued: the certificate's names, the CA (undefined: the default CA), the template, the key type and the renewal point. */
  names: San[];
  ca?: string;
  template: string;
  keyAlgorithm: (typeof TLS_KEY_ALGORITHMS)[number];
  renewFraction: number;
  clientAuth: boolean;
}

/** DNS names by RFC 1123 letters (a wildcard makes no sense for a service's own certificate). */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function parseNames(text: string): San[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new ConfigError('invalid configuration:\n  SIGNET_TLS_NAMES: must list at least one name', ['SIGNET_TLS_NAMES']);
  return names.map((n) => {
    if (isIP(n)) return { type: 'ip', value: n };
    if (!DNS_NAME.test(n)) throw new ConfigError('invalid configuration:\n  SIGNET_TLS_NAMES: each name must be a DNS name or an IP address', ['SIGNET_TLS_NAMES']);
    return { type: 'dns', value: n.toLowerCase() };
  });
}

/** Reads and validates the HTTPS settings; `httpHost` is the plain listener's address (the default for HTTPS). */
export function loadTlsConfig(env: NodeJS.ProcessEnv, httpHost: string): TlsConfig {
  const e = loadEnv(TlsEnvSchema, env);
  const mode: TlsMode = e.SIGNET_TLS_MODE ?? (e.SIGNET_TLS_CERT_FILE ? 'files' : 'self-issued');
  const problem = (variable: string, message: string) => new ConfigError(`invalid configuration:\n  ${variable}: ${message}`, [variable]);
  if (mode === 'files' && (!e.SIGNET_TLS_CERT_FILE || !e.SIGNET_TLS_KEY_FILE)) {
    throw problem(e.SIGNET_TLS_CERT_FILE ? 'SIGNET_TLS_KEY_FILE' : 'SIGNET_TLS_CERT_FILE', 'required with SIGNET_TLS_MODE=files');
  }
  if (mode !== 'files' && e.SIGNET_TLS_CERT_FILE) throw problem('SIGNET_TLS_CERT_FILE', `not used with SIGNET_TLS_MODE=${mode}`);
  if (mode === 'off' && e.SIGNET_HTTP_API === false) throw problem('SIGNET_HTTP_API', 'with SIGNET_TLS_MODE=off the API has no other listener');
  return {
    mode,
    host: e.SIGNET_HTTPS_HOST ?? httpHost,
    port: e.SIGNET_HTTPS_PORT,
    apiOverHttp: e.SIGNET_HTTP_API ?? mode === 'off',
    ...(mode === 'files' ? { files: { cert: e.SIGNET_TLS_CERT_FILE!, key: e.SIGNET_TLS_KEY_FILE!, ...(e.SIGNET_TLS_CHAIN_FILE ? { chain: e.SIGNET_TLS_CHAIN_FILE } : {}) } } : {}),
    filesPollMs: e.SIGNET_TLS_FILES_POLL_MS,
    names: parseNames(e.SIGNET_TLS_NAMES),
    ...(e.SIGNET_TLS_CA ? { ca: e.SIGNET_TLS_CA } : {}),
    template: e.SIGNET_TLS_TEMPLATE,
    keyAlgorithm: e.SIGNET_TLS_KEY_ALGORITHM,
    renewFraction: e.SIGNET_TLS_RENEW_FRACTION,
    clientAuth: e.SIGNET_TLS_CLIENT_AUTH,
  };
}
