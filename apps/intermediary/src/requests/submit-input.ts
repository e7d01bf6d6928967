import { CaNameSchema, ErrorCode, formatAttributes, freeText, IdempotencyKeySchema, LIMITS, lineText, parseAttributes, SignetError, textProblem } from '@signet/contracts';
import { badField, mediaType, queryOne, validate, type Query } from '@signet/http';
import { z } from 'zod';
import { caField, headerValue, oneOf } from '../http/input';

export const JSON_MEDIA_TYPE = 'application/json';
/** RFC 5967; the body is DER, PEM or base64 of the DER. */
export const PKCS10_MEDIA_TYPE = 'application/pkcs10';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

const ATTRIBUTES_TEXT = 'The AD CS attribute string: `name:value` lines (LF or CRLF between them, no other control characters)';
const LIMITS_ANSWER = `checked with ca-core's parser: a bad line is 400 BAD_ATTRIBUTES, more than ${LIMITS.attributesChars} characters 413 TOO_LARGE`;

/**
 * `POST /api/v1/requests` as JSON. Unknown fields are refused so a typo is
 * not silently ignored. The CSR's size and shape and the attribute lines are
 * checked after the schema (checkCsrText, normaliseAttributes) because they
 * answer other codes than 400 BAD_MESSAGE; their limits are the LIMITS the
 * schema states.
 */
export const SubmitBodySchema = z
  .strictObject({
    csr: z
      .string()
      .min(1)
      .meta({
        description: `PKCS#10: PEM (\`CERTIFICATE REQUEST\` or \`NEW CERTIFICATE REQUEST\`) or base64 of the DER. Over ${LIMITS.requestChars} characters: 413 TOO_LARGE; neither PEM nor base64: 400 MALFORMED_REQUEST`,
        maxLength: LIMITS.requestChars,
      }),
    attributes: z
      .union([
        freeText().meta({ description: ATTRIBUTES_TEXT, maxLength: LIMITS.attributesChars }),
        // The same text rules as the bus (ADR 0022): a refused value is a 400 naming `attributes.<name>`, a refused name one
        // that counts it (zod would only say "Invalid input" for a key, and the key must not be quoted anyway).
        z
          .record(z.string(), lineText())
          .superRefine((attrs, ctx) =>
            Object.keys(attrs).forEach((name, i) => {
              const problem = textProblem(name);
              if (problem) ctx.addIssue({ code: 'custom', message: `attribute name ${i + 1} ${problem}` });
            }),
          )
          .meta({ description: 'name → value, without control characters', maxProperties: LIMITS.attributeCount }),
      ])
      .optional()
      .meta({ description: `AD CS request attributes: an object of name → value, or the AD CS string \`name:value\\nname:value\`; ${LIMITS_ANSWER}` }),
    ca: CaNameSchema.optional(),
    idempotencyKey: IdempotencyKeySchema.optional().meta({ description: 'Same as the `Idempotency-Key` header; when both are sent they must be equal' }),
  })
  .meta({
    id: 'SubmitBody',
    examples: [{ csr: '-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----', attributes: { CertificateTemplate: 'WebServer' } }],
  });
export type SubmitBody = z.infer<typeof SubmitBodySchema>;

/** `?ca=` (with either body) and `?attributes=` (with application/pkcs10). */
export const SubmitQuerySchema = z.object({
  ca: queryOne(CaNameSchema).optional().meta({ description: 'CA name; in JSON the body field `ca` may be used instead (both must agree). Default: the default CA.' }),
  attributes: queryOne(freeText())
    .optional()
    .meta({ description: `Only with application/pkcs10: ${ATTRIBUTES_TEXT}; ${LIMITS_ANSWER}`, maxLength: LIMITS.attributesChars }),
});

/** The `Idempotency-Key` header, as the document shows it (idempotencyKey() checks it against the body's). */
export const SubmitHeadersSchema = z.object({
  'Idempotency-Key': IdempotencyKeySchema.optional().meta({
    description: "Makes a retried submit return the first result. Must equal the body's `idempotencyKey` when both are sent.",
  }),
});

/** What arrived over HTTP, before any checking. */
export interface RawSubmit {
  contentType?: string;
  body: unknown;
  query: Query;
  idempotencyHeader?: string | string[];
}

/** A submit the intermediary is willing to forward: shape and size checked. */
export interface SubmitInput {
  /** Absent → the default CA. */
  ca?: string;
  request: string;
  /** The AD CS attribute string. */
  attributes: string;
  idempotencyKey?: string;
}

/**
 * Checks shape and size of a submit and normalises it to what the bus
 * carries. The CSR itself (DER, signature) is the CA's to judge.
 */
export function parseSubmit(raw: RawSubmit): SubmitInput {
  const media = mediaType(raw.contentType);
  if (media === JSON_MEDIA_TYPE) return fromJson(raw);
  if (media === PKCS10_MEDIA_TYPE) return fromPkcs10(raw);
  throw new SignetError(
    ErrorCode.UnsupportedMediaType,
    `Content-Type must be ${JSON_MEDIA_TYPE} or ${PKCS10_MEDIA_TYPE}`,
    { contentType: media?.slice(0, 128) ?? null },
  );
}

/** `?ca=` alone: built once, not per request (a zod schema compiles on first use). */
const JsonSubmitQuerySchema = SubmitQuerySchema.pick({ ca: true });

function fromJson(raw: RawSubmit): SubmitInput {
  const body = validate(SubmitBodySchema, raw.body);
  // `?attributes=` belongs to application/pkcs10; a JSON submit reads only `?ca=`.
  const query = validate(JsonSubmitQuerySchema, raw.query, { what: 'query', topLevelOnly: true });
  return {
    ca: caField(oneOf('ca', body.ca, query.ca)),
    request: checkCsrText(body.csr),
    attributes: normaliseAttributes(body.attributes),
    idempotencyKey: idempotencyKey(raw.idempotencyHeader, body.idempotencyKey),
  };
}

/** Raw PKCS#10: the CA from `?ca=`, attributes from `?attributes=` (the AD CS string). */
function fromPkcs10(raw: RawSubmit): SubmitInput {
  const body = Buffer.isBuffer(raw.body) ? raw.body : Buffer.alloc(0);
  const query = validate(SubmitQuerySchema, raw.query, { what: 'query', topLevelOnly: true });
  return {
    ca: query.ca,
    request: checkCsrText(csrTextOf(body)),
    attributes: normaliseAttributes(query.attributes),
    idempotencyKey: idempotencyKey(raw.idempotencyHeader, undefined),
  };
}

/** Binary DER (starts with a SEQUENCE tag) travels as base64; text as it came. */
export function csrTextOf(body: Buffer): string {
  if (body.length > 0 && body[0] === 0x30) return body.toString('base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new SignetError(ErrorCode.MalformedRequest, 'csr is neither DER, PEM nor base64', { field: 'csr' });
  }
}

const PEM_REQUEST = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\s]+-----END (NEW )?CERTIFICATE REQUEST-----$/;
const BASE64_TEXT = /^[A-Za-z0-9+/\s]+={0,2}$/;

/**
 * Shape and size only: one PEM certificate request, or base64. Whether the
 * bytes are a PKCS#10 with a good signature is decided by the CA.
 */
export function checkCsrText(csr: string): string {
  const text = csr.trim();
  if (text === '') throw badField('csr', 'is empty');
  if (text.length > LIMITS.requestChars) {
    throw new SignetError(ErrorCode.TooLarge, `csr exceeds ${LIMITS.requestChars} characters`, { field: 'csr', limitChars: LIMITS.requestChars });
  }
  const shaped = text.startsWith('-----BEGIN') ? PEM_REQUEST.test(text) : BASE64_TEXT.test(text);
  if (!shaped) {
    throw new SignetError(ErrorCode.MalformedRequest, 'csr must be a PEM certificate request or base64 of its DER', { field: 'csr' });
  }
  return text;
}

/**
 * Attributes as an object (`{"CertificateTemplate": "WebServer"}`) or as the
 * AD CS string (`"CertificateTemplate:WebServer\nsan:dns=a.example"`); both
 * become the AD CS string. Checked with the same parser ca-core uses, so a
 * bad line is refused here with the code the CA would give.
 */
export function normaliseAttributes(attributes: string | Record<string, string> | undefined): string {
  if (attributes === undefined) return '';
  const raw = typeof attributes === 'string' ? attributes : formatAttributes(attributes);
  parseAttributes(raw);
  return raw;
}

/**
 * The `Idempotency-Key` header and the body's `idempotencyKey` are the same
 * thing: either alone is used; when both are sent they must be equal.
 */
export function idempotencyKey(header: string | string[] | undefined, body: string | undefined): string | undefined {
  const key = oneOf('idempotencyKey', headerValue(header, 'Idempotency-Key'), body);
  if (key === undefined) return undefined;
  if (!IdempotencyKeySchema.safeParse(key).success) {
    throw badField('idempotencyKey', `must be 1–${LIMITS.idempotencyKeyChars} printable ASCII characters without spaces`);
  }
  return key;
}
