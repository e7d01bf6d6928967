import { loadSigningKey, type SigningKey } from '@signet/assertions';
import { CaNameSchema } from '@signet/contracts';
import { ConfigError, envBoolean, envInt, loadEnv, LogLevelEnvSchema, NatsEnvSchema, readSecret, type SignetLogLevel } from '@signet/config';
import { TrustProxyEnvSchema, type TrustProxy } from '@signet/http';
import { z } from 'zod';

/**
 * Everything admin-api reads from its environment, validated once at boot.
 * admin-api serves one CA (SIGNET_CA_NAME) and never touches a database:
 * every action is a request to that CA's ca-core over the bus.
 */
export const AdminEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  SIGNET_CA_NAME: CaNameSchema.default('signet'),
  SIGNET_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 asks the OS for a free port; the bound port is logged. */
  SIGNET_ADMIN_PORT: envInt(8081, 0, 65_535),
  /** AD CS RoleSeparationEnabled: refuse management calls from a caller holding two or more roles. */
  SIGNET_ROLE_SEPARATION: envBoolean(false),
  /** How long a call to ca-core may take (a resubmit includes the policy round-trip and signing). */
  SIGNET_CA_TIMEOUT_MS: envInt(15_000, 100, 300_000),
  /** Largest HTTP request body accepted, in bytes. */
  SIGNET_BODY_LIMIT_BYTES: envInt(65_536, 1_024, 1_048_576),
  /** How long a positive token check is trusted; at most 30 s so a revoked token stops working quickly. */
  SIGNET_AUTH_CACHE_MS: envInt(10_000, 0, 30_000),
  /** Hard cap on the rows one CSV/JSON export streams. */
  SIGNET_EXPORT_MAX_ROWS: envInt(50_000, 1, 1_000_000),
  /** Failed authentications one source may have within the window before it gets 429; 0 turns the limit off (ADR 0024). */
  SIGNET_AUTH_FAILURE_LIMIT: envInt(10, 0, 100),
  SIGNET_AUTH_FAILURE_WINDOW_SECONDS: envInt(60, 1, 3600),
  /** Most sources the limiter remembers at once (memory bound). */
  SIGNET_AUTH_FAILURE_SOURCES: envInt(10_000, 1, 100_000),
  /** Proxies allowed to name the client in X-Forwarded-For (Express `trust proxy`); empty = the socket's peer is the client. */
  SIGNET_ADMIN_TRUST_PROXY: TrustProxyEnvSchema,
});

export interface AdminConfig {
  caName: string;
  http: { host: string; port: number; bodyLimitBytes: number };
  nats: { url: string; user?: string; password?: string };
  roleSeparation: boolean;
  caTimeoutMs: number;
  authCacheMs: number;
  /** Rate limit on failed authentications per source (ADR 0024). */
  authFailures: { limit: number; windowMs: number; maxSources: number };
  trustProxy: TrustProxy;
  exportMaxRows: number;
  logLevel: SignetLogLevel;
  /**
   * admin-api's Ed25519 key (SIGNET_ADMIN_ASSERTION_KEY): it signs, for each
   * admin command, who the authenticated caller is (ADR 0028). Never logged.
   */
  assertionKey: SigningKey;
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const problems: string[] = [];
  let e: z.output<typeof AdminEnvSchema> | undefined;
  try {
    e = loadEnv(AdminEnvSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const assertionKey = readAssertionKey(env, problems);
  if (problems.length || !e || !assertionKey) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  return {
    caName: e.SIGNET_CA_NAME,
    http: { host: e.SIGNET_ADMIN_HOST, port: e.SIGNET_ADMIN_PORT, bodyLimitBytes: e.SIGNET_BODY_LIMIT_BYTES },
    nats: { url: e.SIGNET_NATS_URL, user: e.SIGNET_NATS_USER, password: e.SIGNET_NATS_PASSWORD },
    roleSeparation: e.SIGNET_ROLE_SEPARATION,
    caTimeoutMs: e.SIGNET_CA_TIMEOUT_MS,
    authCacheMs: e.SIGNET_AUTH_CACHE_MS,
    authFailures: { limit: e.SIGNET_AUTH_FAILURE_LIMIT, windowMs: e.SIGNET_AUTH_FAILURE_WINDOW_SECONDS * 1000, maxSources: e.SIGNET_AUTH_FAILURE_SOURCES },
    trustProxy: e.SIGNET_ADMIN_TRUST_PROXY,
    exportMaxRows: e.SIGNET_EXPORT_MAX_ROWS,
    logLevel: e.SIGNET_LOG_LEVEL,
    assertionKey,
  };
}

/** SIGNET_ADMIN_ASSERTION_KEY(_FILE): a PKCS#8 PEM Ed25519 key, required; a problem names the variable, never the key. */
function readAssertionKey(env: NodeJS.ProcessEnv, problems: string[]): SigningKey | undefined {
  const name = 'SIGNET_ADMIN_ASSERTION_KEY';
  try {
    const pem = readSecret(env, name);
    if (!pem) {
      problems.push(`${name} (or ${name}_FILE): required; ca-core believes an admin command only with an assertion this key signed`);
      return undefined;
    }
    return loadSigningKey(pem, name);
  } catch (err) {
    problems.push((err as Error).message);
    return undefined;
  }
}

/** DI token for the validated configuration. */
export const CONFIG = Symbol('AdminConfig');
