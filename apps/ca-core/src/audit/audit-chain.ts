import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain, as pure functions (no I/O). Each CA has its
 * own chain: entry n carries `seq = n`, the previous entry's hash and
 *
 *   hash = SHA-256( prevHash (32 octets) || canonical(entry) )
 *
 * so editing, deleting or reordering a stored entry breaks the chain at
 * that point. The chain head (last seq and hash) is kept in a separate row,
 * which also catches a deleted tail.
 */

/** prevHash of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything an entry's hash covers. */
export interface ChainedEntry {
  ca: string;
  seq: number;
  /** Millisecond precision: what JavaScript and the canonical form both hold exactly. */
  at: Date;
  actor: string;
  action: string;
  requestId: number | null;
  serial: string | null;
  before: string | null;
  after: string | null;
  details: Record<string, unknown>;
}

/** A JSON value with object keys sorted, recursively (jsonb does not keep key order). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Details as they will read back from jsonb: plain JSON only (a Date
 * becomes its ISO string, undefined members disappear). Applied before
 * storing and hashing, so the hash covers exactly what is stored.
 */
export function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(details ?? {})) as unknown;
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return {};
  return plain as Record<string, unknown>;
}

/** The entry's canonical serialisation: a JSON array in fixed order, versioned. */
export function canonicalEntry(e: ChainedEntry): string {
  return JSON.stringify([
    'signet-audit-v1',
    e.ca,
    e.seq,
    e.at.toISOString(),
    e.actor,
    e.action,
    e.requestId,
    e.serial,
    e.before,
    e.after,
    sortKeys(e.details),
  ]);
}

export function chainHash(prevHash: string, e: ChainedEntry): string {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new Error('previous hash must be 64 hex digits');
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonicalEntry(e), 'utf8').digest('hex');
}

/** A stored entry as verify reads it. */
export interface StoredEntry extends ChainedEntry {
  id: number;
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
  id: number;
}

export type ChainBreak = { id: number; reason: string };

/**
 * Walks entries of one CA in seq order. Feed pages with `next`, then call
 * `finish` with the stored head. The first problem found is kept.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private prevSeq = 0;
  private prevId: number | null = null;
  checked = 0;
  broken: ChainBreak | null = null;

  /** Returns false once the chain is broken (stop reading). */
  next(e: StoredEntry): boolean {
    if (this.broken) return false;
    const expected = this.prevSeq + 1;
    if (e.seq !== expected) {
      const where = this.prevId === null ? 'at the start of the log' : `after entry ${this.prevId}`;
      this.broken =
        e.seq > expected
          ? { id: e.id, reason: `entry #${expected}${e.seq > expected + 1 ? `–#${e.seq - 1}` : ''} of the chain ${where} is missing (deleted)` }
          : { id: e.id, reason: `entry #${e.seq} appears out of order (duplicate or renumbered)` };
      return false;
    }
    if (e.prevHash !== this.prevHash) {
      this.broken = { id: e.id, reason: 'the previous entry was changed or replaced (its hash no longer matches this entry\'s link)' };
      return false;
    }
    if (chainHash(this.prevHash, e) !== e.hash) {
      this.broken = { id: e.id, reason: 'this entry was changed after it was written (its content no longer matches its hash)' };
      return false;
    }
    this.prevHash = e.hash;
    this.prevSeq = e.seq;
    this.prevId = e.id;
    this.checked++;
    return true;
  }

  /** Compares the end of the walk with the stored head: a deleted tail or a lost head breaks it too. */
  finish(head: ChainHead | null): { ok: boolean; checked: number; brokenAt: ChainBreak | null } {
    if (!this.broken) {
      if (!head) {
        if (this.prevSeq !== 0) this.broken = { id: this.prevId!, reason: 'the chain head record is missing' };
      } else if (head.seq !== this.prevSeq || head.hash !== this.prevHash) {
        this.broken =
          head.seq > this.prevSeq
            ? { id: head.id, reason: `entries #${this.prevSeq + 1}–#${head.seq} at the end of the log are missing (deleted)` }
            : { id: this.prevId ?? head.id, reason: 'the log does not end where the chain head says it does' };
      }
    }
    return { ok: this.broken === null, checked: this.checked, brokenAt: this.broken };
  }
}
