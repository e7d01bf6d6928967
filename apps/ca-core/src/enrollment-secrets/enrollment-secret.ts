import { ENROLLMENT_SECRET_ID_PATTERN, ENROLLMENT_SECRET_PATTERN, type EnrollmentSecretRecord } from '@signet/contracts';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Enrollment secrets, the pure part (ADR 0032). The credential handed out
 * is `<id>:<secret>`: `es-` + 16 hex digits (64 random bits, unique per CA;
 * it names the row and is shown in lists), a colon, 64 hex digits (256
 * random bits). Hex only, so the whole is a PrintableString (a SCEP
 * challengePassword) and, split at the colon, a Basic user-id and password.
 *
 * Only the SHA-256 (hex) of the whole credential is stored. A plain hash
 * suffices, as for admin tokens and retrieval secrets (ADR 0024, 0025): the
 * secret is 256 random bits, so there is nothing a slow KDF or a key would
 * protect against guessing; a keyed hash would only add a key to keep.
 */
export function newEnrollmentSecret(): { id: string; secret: string; credential: string } {
  const id = `es-${randomBytes(8).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  return { id, secret, credential: `${id}:${secret}` };
}

export function credentialSha256(id: string, secret: string): string {
  return createHash('sha256').update(`${id}:${secret}`, 'utf8').digest('hex');
}

/** Stands in for the stored hash when the id is unknown or malformed, so the work is the same. */
const NO_HASH = '0'.repeat(64);

/** What a check needs of a row. */
export interface StoredSecret {
  secretSha256: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** The request that spent it was stored under the idempotency key the check names as retried (`retryOf`). */
  spentByRetried?: boolean;
}

/**
 * Does the presented secret open this row (or no row) at `now`? Every
 * answer but `true` is the same refusal to the caller; the hash is always
 * computed and compared in constant time, whatever else is wrong.
 *
 * A used secret holds only for a retry of the request that spent it
 * (`spentByRetried`): that submit replays the stored request, so it spends
 * nothing, and expiry (a limit on spending) no longer applies to it.
 */
export function secretHolds(presented: { id: string; secret: string }, row: StoredSecret | undefined, now: Date): boolean {
  const wellFormed = ENROLLMENT_SECRET_ID_PATTERN.test(presented.id) && ENROLLMENT_SECRET_PATTERN.test(presented.secret);
  const given = Buffer.from(credentialSha256(presented.id, presented.secret), 'hex');
  const stored = Buffer.from(row?.secretSha256 ?? NO_HASH, 'hex');
  const matches = timingSafeEqual(given, stored);
  if (!wellFormed || !row || !matches || row.revokedAt !== null) return false;
  if (row.usedAt !== null) return row.spentByRetried === true;
  return row.expiresAt.getTime() > now.getTime();
}

/** The state a list shows; revoked and used are final, expiry applies to the rest. */
export function stateOf(r: Pick<EnrollmentSecretRecord, 'revokedAt' | 'usedAt' | 'expiresAt'>, now: Date): EnrollmentSecretRecord['state'] {
  if (r.revokedAt) return 'revoked';
  if (r.usedAt) return 'used';
  return new Date(r.expiresAt).getTime() > now.getTime() ? 'active' : 'expired';
}
