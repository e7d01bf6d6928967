import { CA_NAME_PATTERN } from '@signet/contracts';
import { readVerifyKeys, type VerifyKeys } from '@signet/assertions';
import { ConfigError, envBoolean, envInt, loadEnv, NatsEnvSchema, readSecret } from '@signet/config';
import { hostname } from 'node:os';
import { z } from 'zod';

const CA_KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;

const EnvSchema = NatsEnvSchema.extend({
  SIGNET_CA_NAME: z.string().regex(CA_NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{0,62}$').default('signet'),
  SIGNET_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://signet@127.0.0.1:5432/signet'),
  /** Unset or empty: defaultCaSubject(SIGNET_CA_NAME). */
  SIGNET_CA_SUBJECT: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().min(3).max(1024).optional()),
  SIGNET_CA_KEY_ALGORITHM: z.enum(CA_KEY_ALGORITHMS).default('ecdsa-p256'),
  SIGNET_CA_VALIDITY_DAYS: envInt(3650, 1, 36500),
  SIGNET_CA_CERT_FILE: z.string().min(1).optional(),
  SIGNET_CA_KEY_FILE: z.string().min(1).optional(),
  SIGNET_CA_CHAIN_FILE: z.string().min(1).optional(),
  SIGNET_CA_DEFAULT: envBoolean(false),
  SIGNET_CA_HOST: z.string().min(1).max(253).optional(),
  SIGNET_CA_DESCRIPTION: z.string().max(1024).default(''),
  /** The longest validity the CA proposes to the policy (AD CS ValidityPeriod). */
  SIGNET_MAX_VALIDITY_DAYS: envInt(398, 1, 3650),
  /** Backdating of notBefore to absorb relying parties' clock skew. */
  SIGNET_BACKDATE_SECONDS: envInt(60, 0, 3600),
  SIGNET_POLICY_TIMEOUT_MS: envInt(10_000, 100, 120_000),
  SIGNET_OUTBOX_POLL_MS: envInt(250, 10, 60_000),
  /**
   * How long a retried idempotency key waits for the first request to finish
   * before it is answered IN_PROGRESS (ADR 0034): well below the front
   * doors' bus timeout (the intermediary's SIGNET_CA_TIMEOUT_MS, 15 s).
   */
  SIGNET_IDEMPOTENT_WAIT_MS: envInt(5_000, 0, 60_000),
  /** How long an in-process request's lease lasts; renewed every third of it while the request runs (ADR 0034). */
  SIGNET_REQUEST_LEASE_MS: envInt(10_000, 1_000, 600_000),
  /** How often each ca-core looks for in-process requests whose lease ran out (ADR 0034). */
  SIGNET_STRANDED_SWEEP_MS: envInt(2_000, 100, 60_000),
  /**
   * Group commit (ADR 0037): how long the first request of a batch waits for
   * others before the batch is written (0: only those that arrived while
   * the previous batch was being written), and how many one batch holds.
   */
  SIGNET_BATCH_WINDOW_MS: envInt(1, 0, 50),
  SIGNET_BATCH_MAX: envInt(64, 1, 1_000),
  /** Sign CA certificates at all (for a policy's CA template); off, none is ever signed (ADR 0023). */
  SIGNET_ALLOW_SUBORDINATE_CA: envBoolean(false),
  /** AD CS RoleSeparationEnabled, enforced by ca-core itself (admin-api has its own). */
  SIGNET_ROLE_SEPARATION: envBoolean(false),
});

export interface CaConfig {
  caName: string;
  databaseUrl: string;
  nats: { url: string; user?: string; password?: string };
  subject: string;
  keyAlgorithm: (typeof CA_KEY_ALGORITHMS)[number];
  validityDays: number;
  /** Import an existing CA instead of generating one. */
  import?: { certFile: string; keyFile: string; chainFile?: string };
  /** Never logged, never returned. */
  keyPassphrase: string;
  isDefault: boolean;
  host: string;
  description: string;
  maxValidityDays: number;
  backdateSeconds: number;
  policyTimeoutMs: number;
  outboxPollMs: number;
  idempotentWaitMs: number;
  requestLeaseMs: number;
  strandedSweepMs: number;
  /** Group commit (ADR 0037): the batch window and the most requests one transaction carries. */
  batchWindowMs: number;
  batchMax: number;
  /** Whether a policy's CA template may yield a CA certificate; false: ca-core signs none. */
  allowSubordinateCa: boolean;
  /** Refuse management to callers with two or more separated roles, and self-approval (ADR 0023). */
  roleSeparation: boolean;
  /**
   * The front doors' public keys (SIGNET_FRONT_DOOR_KEYS): an identity
   * assertion signed by one of them is believed (ADR 0026). None: every
   * submit that carries one is refused, and HTTP enrollees cannot submit.
   */
  frontDoorKeys?: VerifyKeys;
  /**
   * admin-api's public keys (SIGNET_ADMIN_ASSERTION_KEYS, several during a
   * rotation): every admin command must carry an assertion one of them
   * signed (ADR 0028). None: every admin command is refused.
   */
  adminAssertionKeys?: VerifyKeys;
}

export const CA_CONFIG = Symbol('CA_CONFIG');

/**
 * The subject of a generated CA when SIGNET_CA_SUBJECT is not set: it names
 * the CA, so two Signet CAs (a test CA and the real one, two issuing CAs)
 * never look alike in a trust store or a chain.
 */
export function defaultCaSubject(caName: string): string {
  return `O=Signet,CN=Signet ${caName} Root CA`;
}

/** Reads and validates ca-core's configuration; throws ConfigError listing every problem. */
export function loadCaConfig(env: NodeJS.ProcessEnv = process.env): CaConfig {
  const problems: string[] = [];
  // Collect the schema's problems and the passphrase's together, so one start names all of them.
  let e: z.output<typeof EnvSchema> | undefined;
  try {
    e = loadEnv(EnvSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const passphrase = readSecret(env, 'SIGNET_CA_KEY_PASSPHRASE');
  if (!passphrase) problems.push('SIGNET_CA_KEY_PASSPHRASE (or SIGNET_CA_KEY_PASSPHRASE_FILE): required; the CA key is always encrypted at rest');
  else if (passphrase.length < 12) problems.push('SIGNET_CA_KEY_PASSPHRASE: must be at least 12 characters');
  const frontDoorKeys = readVerifyKeys(env, 'SIGNET_FRONT_DOOR_KEYS', problems);
  // SIGNET_ADMIN_ASSERTION_KEYS(_FILE): SPKI PEM blocks (exit-service reads the same variable).
  const adminAssertionKeys = readVerifyKeys(env, 'SIGNET_ADMIN_ASSERTION_KEYS', problems);
  if (Boolean(env.SIGNET_CA_CERT_FILE) !== Boolean(env.SIGNET_CA_KEY_FILE)) {
    problems.push('SIGNET_CA_CERT_FILE and SIGNET_CA_KEY_FILE: set both to import a CA, or neither to generate one');
  }
  if (problems.length || !e) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  return {
    caName: e.SIGNET_CA_NAME,
    databaseUrl: e.SIGNET_DATABASE_URL,
    nats: { url: e.SIGNET_NATS_URL, user: e.SIGNET_NATS_USER, password: e.SIGNET_NATS_PASSWORD },
    subject: e.SIGNET_CA_SUBJECT ?? defaultCaSubject(e.SIGNET_CA_NAME),
    keyAlgorithm: e.SIGNET_CA_KEY_ALGORITHM,
    validityDays: e.SIGNET_CA_VALIDITY_DAYS,
    import: e.SIGNET_CA_CERT_FILE && e.SIGNET_CA_KEY_FILE
      ? { certFile: e.SIGNET_CA_CERT_FILE, keyFile: e.SIGNET_CA_KEY_FILE, chainFile: e.SIGNET_CA_CHAIN_FILE }
      : undefined,
    keyPassphrase: passphrase as string,
    isDefault: e.SIGNET_CA_DEFAULT,
    host: e.SIGNET_CA_HOST ?? hostname(),
    description: e.SIGNET_CA_DESCRIPTION,
    maxValidityDays: e.SIGNET_MAX_VALIDITY_DAYS,
    backdateSeconds: e.SIGNET_BACKDATE_SECONDS,
    policyTimeoutMs: e.SIGNET_POLICY_TIMEOUT_MS,
    outboxPollMs: e.SIGNET_OUTBOX_POLL_MS,
    idempotentWaitMs: e.SIGNET_IDEMPOTENT_WAIT_MS,
    requestLeaseMs: e.SIGNET_REQUEST_LEASE_MS,
    strandedSweepMs: e.SIGNET_STRANDED_SWEEP_MS,
    batchWindowMs: e.SIGNET_BATCH_WINDOW_MS,
    batchMax: e.SIGNET_BATCH_MAX,
    allowSubordinateCa: e.SIGNET_ALLOW_SUBORDINATE_CA,
    roleSeparation: e.SIGNET_ROLE_SEPARATION,
    frontDoorKeys,
    adminAssertionKeys,
  };
}
