import { LIMITS, RETRIEVAL_SECRET_HEADER } from '@signet/contracts';
import { badField } from '@signet/http';
import { z } from 'zod';
import { headerValue } from '../http/input';

/*
 * The retrieval secret travels in a header of its own, never in the URL
 * (URLs end up in logs and browser histories), and not in Authorization,
 * which is left for who the caller is once enrollees authenticate: the
 * two may come together (ADR 0025).
 */

export const RetrieveHeadersSchema = z.object({
  [RETRIEVAL_SECRET_HEADER]: z
    .string()
    .min(1)
    .max(LIMITS.retrievalSecretChars)
    .optional()
    .meta({ description: 'The `retrievalSecret` the submit answered. Without it, or with a wrong one, the answer is 404 NOT_FOUND, as for an id that does not exist.' }),
});

/** The header's value; absent or empty → undefined. Its check is ca-core's: here only that it is one value of bounded length. */
export function retrievalSecretOf(value: string | string[] | undefined): string | undefined {
  const secret = headerValue(value, RETRIEVAL_SECRET_HEADER);
  if (!secret) return undefined;
  if (secret.length > LIMITS.retrievalSecretChars) throw badField(RETRIEVAL_SECRET_HEADER, `longer than ${LIMITS.retrievalSecretChars} characters`);
  return secret;
}
