import { ErrorCode, ExtensionValueSchema, formatAttributes, LIMITS, OidSchema, parseAttributes, SignetError, type ExtensionValue } from '@signet/contracts';
import { badField, mediaType, validate } from '@signet/http';
import { z } from 'zod';

/** Media types a body may have; anything else with a body is 415. */
export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain';

/** Routes that take no body accept none or `{}`: a stray field is refused, not ignored. */
export const EmptyBodySchema = z.strictObject({}).meta({ id: 'EmptyBody', description: 'No body, or `{}`' });

/** SetRequestAttributes as a JSON object: name → value. */
export const AttributesObjectSchema = z
  .record(z.string().max(LIMITS.attributeNameChars), z.string().max(LIMITS.attributeValueChars))
  .refine((m) => Object.keys(m).length <= LIMITS.attributeCount, `at most ${LIMITS.attributeCount} attributes`)
  .meta({ description: 'name → value', maxProperties: LIMITS.attributeCount });

/** The AD CS attribute string, as a JSON string or a text/plain body. */
export const AttributesTextSchema = z.string().meta({
  description: `AD CS \`name:value\` lines; over ${LIMITS.attributesChars} characters (also as formatted from an object) 413 TOO_LARGE, a bad line 400 BAD_ATTRIBUTES`,
  maxLength: LIMITS.attributesChars,
});

/**
 * ICertAdmin::SetRequestAttributes input, in either form an operator has at
 * hand: a JSON object `{"name": "value"}`, a JSON string, or a text/plain
 * body with AD CS `name:value` lines. Returns the AD CS string, checked with
 * the same parser ca-core uses (so a bad line is a 400 BAD_ATTRIBUTES here).
 * Which schema applies depends on the media type, so the handler calls this
 * rather than a pipe.
 */
export function attributesFromBody(contentType: string | undefined, body: unknown): string {
  const type = mediaType(contentType);
  let text: string;
  if (type === TEXT_TYPE || typeof body === 'string') {
    if (typeof body !== 'string') throw badField('body', 'expected the AD CS attribute string');
    text = body;
  } else if (type === JSON_TYPE && body && typeof body === 'object' && !Array.isArray(body)) {
    text = formatAttributes(validate(AttributesObjectSchema, body, { what: 'attributes' }));
  } else {
    throw badField('body', 'expected a JSON object of name → value, or the AD CS string `name:value` lines');
  }
  if (text.length > LIMITS.attributesChars) throw new SignetError(ErrorCode.TooLarge, `attributes exceed ${LIMITS.attributesChars} characters`);
  if (parseAttributes(text).size === 0) throw badField('attributes', 'no attribute given');
  return text;
}

/** `{oid}` of /api/v1/requests/{id}/extensions/{oid}. */
export const OidPathSchema = z
  .string()
  .transform((oid) => {
    if (!OidSchema.safeParse(oid).success) throw badField('oid', 'must be a dotted OID such as 1.3.6.1.4.1.311.20.2');
    return oid;
  })
  .pipe(OidSchema);

/**
 * ICertAdmin::SetCertificateExtension input: the flags, and the value either
 * as `der` (base64 DER, PROPTYPE_BINARY) or typed
 * (`value: {type: string|long|date|der, value}`), never both.
 */
export const ExtensionBodySchema = z
  .strictObject({
    critical: z.boolean().default(false),
    /** EXTENSION_DISABLE: kept with the request, left out of the certificate. */
    disabled: z.boolean().default(false).meta({ description: 'EXTENSION_DISABLE: stored, left out of the certificate' }),
    der: z.string().min(1).max(LIMITS.extensionValueChars).optional().meta({ description: 'The extension value, DER in base64 (PROPTYPE_BINARY)' }),
    value: ExtensionValueSchema.optional().meta({ description: 'Typed value: string (encoded as IA5String), long (INTEGER), date (Time), der (base64)' }),
  })
  .refine((b) => (b.der === undefined) !== (b.value === undefined), { message: 'give exactly one of `der` and `value`', path: ['value'] })
  .meta({ id: 'ExtensionBody', description: 'Exactly one of `der` and `value`' });

export interface ExtensionEdit {
  oid: string;
  critical: boolean;
  disabled: boolean;
  value: ExtensionValue;
}

/** The extension as the bus carries it: `der` becomes a typed der value. */
export function extensionEdit(oid: string, b: z.output<typeof ExtensionBodySchema>): ExtensionEdit {
  const value: ExtensionValue = b.der !== undefined ? validate(ExtensionValueSchema, { type: 'der', value: b.der.replace(/\s+/g, '') }, { what: 'der' }) : b.value!;
  return { oid, critical: b.critical, disabled: b.disabled, value };
}

/** DenyRequest: an optional reason for the disposition message. */
export const DenyBodySchema = z.strictObject({ reason: z.string().min(1).max(1024).optional() }).meta({ id: 'DenyBody' });
