import { ErrorCode, ExtensionValueSchema, formatAttributes, LIMITS, OidSchema, parseAttributes, SignetError, type ExtensionValue } from '@signet/contracts';
import { badField, mediaType } from '@signet/http';
import { z } from 'zod';
import { parseWith } from '../http/input';

/** Media types a body may have; anything else with a body is 415. */
export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain';

/**
 * ICertAdmin::SetRequestAttributes input, in either form an operator has at
 * hand: a JSON object `{"name": "value"}`, a JSON string, or a text/plain
 * body with AD CS `name:value` lines. Returns the AD CS string, checked with
 * the same parser ca-core uses (so a bad line is a 400 BAD_ATTRIBUTES here).
 */
export function attributesFromBody(contentType: string | undefined, body: unknown): string {
  const type = mediaType(contentType);
  let text: string;
  if (type === TEXT_TYPE || typeof body === 'string') {
    if (typeof body !== 'string') throw badField('body', 'expected the AD CS attribute string');
    text = body;
  } else if (type === JSON_TYPE && body && typeof body === 'object' && !Array.isArray(body)) {
    const map = parseWith(
      z.record(z.string().max(LIMITS.attributeNameChars), z.string().max(LIMITS.attributeValueChars)).refine((m) => Object.keys(m).length <= LIMITS.attributeCount, `at most ${LIMITS.attributeCount} attributes`),
      body,
      'attributes',
    );
    text = formatAttributes(map);
  } else {
    throw badField('body', 'expected a JSON object of name → value, or the AD CS string `name:value` lines');
  }
  if (text.length > LIMITS.attributesChars) throw new SignetError(ErrorCode.TooLarge, `attributes exceed ${LIMITS.attributesChars} characters`);
  if (parseAttributes(text).size === 0) throw badField('attributes', 'no attribute given');
  return text;
}

/**
 * ICertAdmin::SetCertificateExtension input: the flags, and the value either
 * as `der` (base64 DER, PROPTYPE_BINARY) or typed
 * (`value: {type: string|long|date|der, value}`), never both.
 */
const ExtensionBodySchema = z
  .object({
    critical: z.boolean().default(false),
    /** EXTENSION_DISABLE: kept with the request, left out of the certificate. */
    disabled: z.boolean().default(false),
    der: z.string().min(1).max(LIMITS.extensionValueChars).optional(),
    value: ExtensionValueSchema.optional(),
  })
  .strict()
  .refine((b) => (b.der === undefined) !== (b.value === undefined), { message: 'give exactly one of `der` and `value`', path: ['value'] });

export interface ExtensionEdit {
  oid: string;
  critical: boolean;
  disabled: boolean;
  value: ExtensionValue;
}

export function extensionFromBody(oid: string, body: unknown): ExtensionEdit {
  const checkedOid = OidSchema.safeParse(oid);
  if (!checkedOid.success) throw badField('oid', 'must be a dotted OID such as 1.3.6.1.4.1.311.20.2');
  const b = parseWith(ExtensionBodySchema, body ?? {});
  const value: ExtensionValue = b.der !== undefined ? parseWith(ExtensionValueSchema, { type: 'der', value: b.der.replace(/\s+/g, '') }, 'der') : b.value!;
  return { oid: checkedOid.data, critical: b.critical, disabled: b.disabled, value };
}

/** DenyRequest: an optional reason for the disposition message. */
const DenyBodySchema = z.object({ reason: z.string().min(1).max(1024).optional() }).strict();

export function denyFromBody(body: unknown): { reason?: string } {
  return parseWith(DenyBodySchema, body ?? {});
}

/** Routes that take no body accept none or `{}`: a stray field is refused, not ignored. */
export function emptyBody(body: unknown): void {
  parseWith(z.object({}).strict(), body ?? {});
}
