import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A configuration problem found at boot: the process stops before serving. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the process environment against a schema. Every problem is
 * reported at once, named by variable, and never echoes a value (it may be
 * a secret).
 */
export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
}

/** An env flag: true/false/1/0/yes/no. */
export const envBoolean = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : ['true', '1', 'yes'].includes(v)));

/** An integer from an env string, within bounds. */
export const envInt = (def: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .optional()
    .transform((v) => (v === undefined ? def : Number(v)))
    .pipe(z.number().int().min(min).max(max));

export const envNatsUrl = z
  .string()
  .regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// or tls:// URL')
  .default('nats://127.0.0.1:4222');

/** Common NATS settings every service reads. */
export const NatsEnvSchema = z.object({
  SIGNET_NATS_URL: envNatsUrl,
  SIGNET_NATS_USER: z.string().min(1).optional(),
  SIGNET_NATS_PASSWORD: z.string().min(1).optional(),
});

/**
 * A secret given either inline or as a file path (`X` or `X_FILE`), the
 * docker-secrets convention. The file's trailing newline is dropped.
 */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new ConfigError(`${name}_FILE: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, [`${name}_FILE`]);
    }
  }
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
