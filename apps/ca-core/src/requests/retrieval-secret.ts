import { ANONYMOUS_REQUESTER } from '@signet/contracts';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Who may read a request back (RetrievePending), ADR 0025. Pure: no I/O.
 *
 * The secret is 256 random bits, so a plain SHA-256 is enough to store it:
 * there is nothing to guess that a slow hash would protect. Comparison is
 * over the hashes, in constant time.
 */

const PREFIX = 'sgr_';
/** Compared against when there is no stored hash, so every refusal costs the same. */
const NO_HASH = Buffer.alloc(32);

export interface RetrievalSecret {
  /** Goes to the submitter once; never stored, never logged. */
  secret: string;
  /** What the request row keeps: SHA-256 of the secret, hex. */
  sha256: string;
}

export function newRetrievalSecret(): RetrievalSecret {
  const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, sha256: retrievalSecretSha256(secret) };
}

export function retrievalSecretSha256(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** What a request row tells about its owner. */
export interface Ownership {
  requesterName: string;
  retrievalSecretSha256: string | null;
}

/** Who asks, as the retrieve message says. */
export interface Asker {
  retrievalSecret?: string;
  requester: string;
}

/**
 * The owner is whoever holds the request's retrieval secret, or an
 * authenticated requester equal to the request's. `anonymous` is nobody, so
 * it never matches by name. An unknown request (undefined) is refused
 * after the same work as a known one.
 */
export function mayRetrieve(row: Ownership | undefined, who: Asker): boolean {
  const stored = row?.retrievalSecretSha256 ? Buffer.from(row.retrievalSecretSha256, 'hex') : NO_HASH;
  const given = createHash('sha256').update(who.retrievalSecret ?? '', 'utf8').digest();
  const secretMatches = timingSafeEqual(given, stored) && row?.retrievalSecretSha256 != null && who.retrievalSecret !== undefined;
  const sameRequester = row !== undefined && who.requester !== ANONYMOUS_REQUESTER && who.requester === row.requesterName;
  return secretMatches || sameRequester;
}
