import { IsoTimeSchema, REVOCATION_REASONS } from '@signet/contracts';
import { badField } from '@signet/http';
import { z } from 'zod';

const REASON_BY_NAME = new Map(Object.entries(REVOCATION_REASONS).map(([name, code]) => [name.toLowerCase(), code]));

/**
 * An RFC 5280 CRLReason as operators write it: the number (certutil style,
 * `1`) or the name (`keyCompromise`, any case). 7 is unused and 8
 * (removeFromCRL) is what release does, so both are refused here.
 */
export function parseReason(raw: unknown): number {
  if (raw === undefined) return REVOCATION_REASONS.unspecified;
  let code: number | undefined;
  if (typeof raw === 'number') code = raw;
  else if (typeof raw === 'string' && /^\d{1,2}$/.test(raw)) code = Number(raw);
  else if (typeof raw === 'string') code = REASON_BY_NAME.get(raw.toLowerCase());
  if (code === undefined || !Number.isInteger(code) || code < 0 || code > 10 || code === 7 || code === 8) {
    throw badField('reason', `must be an RFC 5280 reason: ${Object.entries(REVOCATION_REASONS).filter(([, c]) => c !== 8).map(([n, c]) => `${c} ${n}`).join(', ')}`);
  }
  return code;
}

/** Name of a reason code, for people (status answers carry the number). */
export function reasonName(code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  return Object.entries(REVOCATION_REASONS).find(([, c]) => c === code)?.[0];
}

const REASON_LIST = Object.entries(REVOCATION_REASONS)
  .filter(([, c]) => c !== 8)
  .map(([n, c]) => `${c} ${n}`)
  .join(', ');

/** RevokeCertificate's body; its output is what the bus carries (the reason as a number, default unspecified). */
export const RevokeBodySchema = z
  .strictObject({
    reason: z
      .union([z.number(), z.string().max(64)])
      .optional()
      .transform(parseReason)
      .meta({ description: `RFC 5280 CRLReason, number or name (any case); default 0 unspecified: ${REASON_LIST}` }),
    /** When the revocation takes effect (RevokeCertificate's Date); default now. */
    effectiveAt: IsoTimeSchema.optional().meta({ description: 'When the revocation takes effect (default now)' }),
    /** When the key was known or suspected compromised (invalidityDate CRL entry extension). */
    invalidityDate: IsoTimeSchema.optional().meta({ description: 'When the key was known or suspected to be compromised' }),
  })
  .meta({ id: 'RevokeBody' });

export type RevokeInput = z.output<typeof RevokeBodySchema>;
