import { EXIT_EVENTS, ExitEvent } from '@signet/contracts';
import { z } from 'zod';

/**
 * The exit-module file (config/exit-modules.yaml). Every module is one entry
 * with its own name, event list (its EXITEVENT mask), delivery settings and
 * type-specific options. Secrets are never written here: a secret field
 * names an environment variable (`{ env: NAME }`), read as NAME or NAME_FILE.
 */

const EventNameSchema = z.enum(EXIT_EVENTS);

/** Retries: JetStream redelivers after initialDelayMs·multiplierⁿ (capped), ± jitter; then a dead letter. */
export const RetrySchema = z
  .object({
    /** Delivery attempts in all, the first one included. */
    attempts: z.number().int().min(1).max(50),
    initialDelayMs: z.number().int().min(50).max(3_600_000),
    multiplier: z.number().min(1).max(10),
    maxDelayMs: z.number().int().min(50).max(86_400_000),
    /** Fraction of each delay drawn at random either way (0.2 = ±20 %). */
    jitter: z.number().min(0).max(0.5),
  })
  .strict();
export type RetrySettings = z.infer<typeof RetrySchema>;

export const DeliverySchema = z
  .object({
    /** Events this module handles at once (across all its events). */
    concurrency: z.number().int().min(1).max(256),
    /** One attempt may take this long; a slower (or hanging) one is cut and retried later. */
    timeoutMs: z.number().int().min(100).max(600_000),
    retry: RetrySchema,
    /** Where a newly created consumer starts: `new` events only, or `all` still in the stream. */
    start: z.enum(['new', 'all']),
    /**
     * Once caught up, wait this long before asking for more events, then
     * take everything that arrived meanwhile in one go: events come in
     * batches instead of one wake-up each, for a fraction of the CPU, at up
     * to this much added delay. 0: ask again at once (lowest delay).
     */
    batchWindowMs: z.number().int().min(0).max(10_000),
  })
  .strict();
export type DeliverySettings = z.infer<typeof DeliverySchema>;

export const DEFAULT_DELIVERY: DeliverySettings = {
  concurrency: 4,
  timeoutMs: 10_000,
  retry: { attempts: 8, initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2 },
  start: 'new',
  batchWindowMs: 2_000,
};

/** A reference to a secret in the environment: NAME, or the file named by NAME_FILE. */
export const SecretRefSchema = z
  .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)') })
  .strict();

const ModuleBase = {
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"'),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().default(true),
  events: z.array(EventNameSchema).min(1).max(EXIT_EVENTS.length),
  delivery: z
    .object({
      concurrency: DeliverySchema.shape.concurrency.optional(),
      timeoutMs: DeliverySchema.shape.timeoutMs.optional(),
      retry: RetrySchema.partial().strict().optional(),
      start: DeliverySchema.shape.start.optional(),
      batchWindowMs: DeliverySchema.shape.batchWindowMs.optional(),
    })
    .strict()
    .optional(),
};

/** Events that carry (or can read back) a certificate, the only ones a file publisher can act on. */
export const FILE_EVENTS: readonly ExitEvent[] = [ExitEvent.CertificateIssued, ExitEvent.PendingRetrieved, ExitEvent.CertificateImported, ExitEvent.CertificateRevoked];

export const FileModuleSchema = z
  .object({
    ...ModuleBase,
    type: z.literal('file'),
    /** Created if missing. */
    directory: z.string().min(1).max(4096),
    formats: z.array(z.enum(['pem', 'der'])).min(1).max(2).default(['pem', 'der']),
    /** Remove a certificate's files when it is revoked (needs certificate.revoked in events). Default: remove nothing. */
    removeOnRevoke: z.boolean().default(false),
  })
  .strict();

export const WebhookModuleSchema = z
  .object({
    ...ModuleBase,
    type: z.literal('webhook'),
    /** One receiver per module, so one failing receiver never causes redeliveries to another. */
    url: z.url({ protocol: /^https?$/, error: (iss) => (iss.input === undefined ? 'is required' : 'must be an http:// or https:// URL') }).max(2048),
    /** HMAC-SHA256 key (≥ 32 characters). */
    secret: SecretRefSchema,
    /** Extra request headers (never secrets: they are logged in config dumps). */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1024)).optional(),
  })
  .strict();

export const MailTemplateSchema = z.object({ subject: z.string().min(1).max(998), body: z.string().min(1).max(65_536) }).strict();

const EmailSchema = z.string().min(3).max(320).regex(/^[^\s<>@]+@[^\s<>@]+$|^[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>$/, 'must be an e-mail address');

export const MailModuleSchema = z
  .object({
    ...ModuleBase,
    type: z.literal('mail'),
    smtp: z
      .object({
        host: z.string().min(1).max(253),
        port: z.number().int().min(1).max(65_535).default(25),
        /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
        secure: z.boolean().default(false),
        /** Refuse to send unless STARTTLS succeeds. */
        requireTls: z.boolean().default(false),
        user: z.string().max(256).optional(),
        password: SecretRefSchema.optional(),
      })
      .strict(),
    from: EmailSchema,
    to: z.array(EmailSchema).min(1).max(100),
    cc: z.array(EmailSchema).max(100).default([]),
    /** Per event: subject and body with {{placeholders}}; events left out use the built-in text. */
    templates: z.partialRecord(EventNameSchema, MailTemplateSchema).default({}),
  })
  .strict();

export const ModuleConfigSchema = z.discriminatedUnion('type', [FileModuleSchema, WebhookModuleSchema, MailModuleSchema]);
export type ModuleConfig = z.output<typeof ModuleConfigSchema>;
export type FileModuleConfig = z.output<typeof FileModuleSchema>;
export type WebhookModuleConfig = z.output<typeof WebhookModuleSchema>;
export type MailModuleConfig = z.output<typeof MailModuleSchema>;

export const ExitConfigFileSchema = z
  .object({
    /** Delivery settings every module starts from. */
    defaults: z
      .object({
        concurrency: DeliverySchema.shape.concurrency.optional(),
        timeoutMs: DeliverySchema.shape.timeoutMs.optional(),
        retry: RetrySchema.partial().strict().optional(),
        start: DeliverySchema.shape.start.optional(),
        batchWindowMs: DeliverySchema.shape.batchWindowMs.optional(),
      })
      .strict()
      .default({}),
    modules: z.array(ModuleConfigSchema).max(64).default([]),
  })
  .strict();
export type ExitConfigFile = z.output<typeof ExitConfigFileSchema>;
