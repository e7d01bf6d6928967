import { CaNameSchema } from '@signet/contracts';
import { loadSigningKey, type SigningKey } from '@signet/assertions';
import { ConfigError, envBoolean, envInt, loadEnv, LogLevelEnvSchema, NatsEnvSchema, readSecret, type SignetLogLevel } from '@signet/config';
import { TrustProxyEnvSchema, type TrustProxy } from '@signet/http';
import { z } from 'zod';
import { loadTokenAuthConfig, type TokenAuthConfig } from '../auth/tokens.config';
import { loadEstConfig, type EstConfig } from '../est/est.config';
import { loadTlsConfig, type TlsConfig } from '../tls/tls.config';
import { loadAcmeConfig, type AcmeConfig } from '../acme/acme.config';

/**
 * Everything the intermediary reads from its environment, validated once at
 * boot. There is deliberately no CA address here: CAs are found on the bus
 * (ICertConfig), never configured.
 */
export const IntermediaryEnvSchema = NatsEnvSchema.extend(LogLevelEnvSchema.shape).extend({
  SIGNET_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 asks the OS for a free port; the bound port is logged. */
  SIGNET_HTTP_PORT: envInt(8080, 0, 65_535),
  /** CC_DEFAULTCONFIG override; else the one CA that declares isDefault, else the only CA on the bus (several: callers must name one). */
  SIGNET_DEFAULT_CA: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(CaNameSchema.optional()),
  /** How long a call to ca-core may take (submit includes the policy round-trip and signing). */
  SIGNET_CA_TIMEOUT_MS: envInt(15_000, 100, 300_000),
  /** Largest HTTP request body accepted, in bytes. */
  SIGNET_BODY_LIMIT_BYTES: envInt(65_536, 1_024, 1_048_576),
  /** How long the list of discovered CAs is trusted before it is asked again. */
  SIGNET_DISCOVERY_TTL_MS: envInt(5_000, 0, 3_600_000),
  /** How long one discovery round collects answers from CAs on the bus. */
  SIGNET_DISCOVERY_WAIT_MS: envInt(250, 10, 10_000),
  /** /readyz also waits for exit-service of the default CA (set where it runs: npm start, docker-compose). */
  SIGNET_READY_EXIT_SERVICE: envBoolean(false),
  /** Proxies allowed to name the client in X-Forwarded-For (Express `trust proxy`): per-address limits (failed authentications, ACME, SCEP) count the client, not the proxy. Empty: the socket's peer is the client. */
  SIGNET_TRUST_PROXY: TrustProxyEnvSchema,
});

export interface IntermediaryConfig {
  http: { host: string; port: number; bodyLimitBytes: number; trustProxy: TrustProxy };
  nats: { url: string; user?: string; password?: string };
  defaultCa?: string;
  caTimeoutMs: number;
  discovery: { ttlMs: number; waitMs: number };
  /** What /readyz requires beyond the bus, the default CA and its policy module. */
  ready: { exitService: boolean };
  logLevel: SignetLogLevel;
  /** Enrollment tokens and OIDC ID tokens (ADR 0031): src/auth/tokens.config.ts reads their variables. */
  tokens: TokenAuthConfig;
  /** The HTTPS listener and which listener serves the API (src/tls/tls.config.ts, ADR 0029). */
  tls: TlsConfig;
  /** Signs who asks for ca-core (ADR 0026). Never logged, never returned. */
  frontDoorKey: SigningKey;
  /** EST labels and answers (src/est/est.config.ts, ADR 0039). */
  est: EstConfig;
  /** The ACME front door (src/acme/acme.config.ts, ADR 0035); absent: ACME is off and no database is needed. */
  acme?: AcmeConfig;
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IntermediaryConfig {
  const problems: string[] = [];
  // The schema's problems and the key's together, so one start names all of them.
  let e: z.output<typeof IntermediaryEnvSchema> | undefined;
  try {
    e = loadEnv(IntermediaryEnvSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  let frontDoorKey: SigningKey | undefined;
  try {
    const pem = readSecret(env, 'SIGNET_FRONT_DOOR_KEY');
    if (!pem) problems.push('SIGNET_FRONT_DOOR_KEY (or SIGNET_FRONT_DOOR_KEY_FILE): required; the intermediary signs who asks for ca-core');
    else frontDoorKey = loadSigningKey(pem, 'SIGNET_FRONT_DOOR_KEY');
  } catch (err) {
    problems.push((err as Error).message);
  }
  // Each method's and the listener's own variables too: one start names every problem.
  const part = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.replace(/^invalid configuration:\n\s*/, '').split(/\n\s*/));
      return undefined;
    }
  };
  const tokens = part(() => loadTokenAuthConfig(env));
  const tls = e && part(() => loadTlsConfig(env, e.SIGNET_HTTP_HOST));
  const est = part(() => loadEstConfig(env));
  const acme = part(() => loadAcmeConfig(env));
  if (problems.length || !e || !frontDoorKey || !tokens || !tls || !est) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  return {
    http: { host: e.SIGNET_HTTP_HOST, port: e.SIGNET_HTTP_PORT, bodyLimitBytes: e.SIGNET_BODY_LIMIT_BYTES, trustProxy: e.SIGNET_TRUST_PROXY },
    nats: { url: e.SIGNET_NATS_URL, user: e.SIGNET_NATS_USER, password: e.SIGNET_NATS_PASSWORD },
    defaultCa: e.SIGNET_DEFAULT_CA,
    caTimeoutMs: e.SIGNET_CA_TIMEOUT_MS,
    discovery: { ttlMs: e.SIGNET_DISCOVERY_TTL_MS, waitMs: e.SIGNET_DISCOVERY_WAIT_MS },
    ready: { exitService: e.SIGNET_READY_EXIT_SERVICE },
    logLevel: e.SIGNET_LOG_LEVEL,
    tokens,
    tls,
    frontDoorKey,
    est,
    ...(acme ? { acme } : {}),
  };
}

/** DI token for the validated configuration. */
export const CONFIG = Symbol('IntermediaryConfig');
