import { Injectable } from '@nestjs/common';
import { ErrorCode, SignetError, type AuditEntry } from '@signet/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { chainHash, ChainVerifier, GENESIS_HASH, normalizeDetails, type ChainedEntry, type StoredEntry } from './audit-chain';

/** One thing that happened, as the caller describes it. */
export interface AuditInput {
  actor: string;
  action: string;
  requestId?: number;
  serial?: string;
  before?: string | null;
  after?: string | null;
  details?: Record<string, unknown>;
}

const VERIFY_PAGE = 2_000;

const ENTRY_COLUMNS = `id, ca_name, seq, at, actor, action, request_id, serial, before_disposition, after_disposition, details, prev_hash, hash`;

function toStored(r: Record<string, unknown>): StoredEntry {
  return {
    id: Number(r.id),
    ca: r.ca_name as string,
    seq: Number(r.seq),
    at: r.at as Date,
    actor: r.actor as string,
    action: r.action as string,
    requestId: r.request_id === null ? null : Number(r.request_id),
    serial: (r.serial as string | null) ?? null,
    before: (r.before_disposition as string | null) ?? null,
    after: (r.after_disposition as string | null) ?? null,
    details: (r.details as Record<string, unknown>) ?? {},
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/**
 * The audit log: append-only and hash-chained per CA (see audit-chain.ts).
 * Appends run inside the caller's transaction, so an entry exists exactly
 * when the change it records was committed.
 */
@Injectable()
export class AuditStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Appends one entry: `appendMany` with one.
   */
  async append(m: EntityManager, ca: string, e: AuditInput): Promise<{ id: number; seq: number; hash: string }> {
    const [one] = await this.appendMany(m, ca, [e]);
    return one;
  }

  /**
   * Appends entries in the order given, as one link of the chain after
   * another, in three statements however many there are. A
   * transaction-scoped advisory lock per CA makes the caller the CA's only
   * chain writer until commit, so two transactions can never link to the
   * same predecessor (which would fork the chain): a batch of issuances
   * (ADR 0037) takes it once, not once per issuance. Call it as the last
   * statement that takes locks in the transaction: it holds the CA-wide lock
   * until commit.
   *
   * The transaction must be READ COMMITTED: under REPEATABLE READ or
   * SERIALIZABLE the head would come from a snapshot taken before the lock,
   * older than the predecessor's commit, and the entry would collide with
   * it (issue 15, ADR 0033). Such a transaction is refused, nothing written.
   */
  async appendMany(m: EntityManager, ca: string, entries: AuditInput[]): Promise<Array<{ id: number; seq: number; hash: string }>> {
    if (entries.length === 0) return [];
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`signet-audit:${ca}`]);
    // A new statement after the lock: under READ COMMITTED it sees the predecessor's commit.
    const [head] = await m.query(
      `SELECT date_trunc('milliseconds', clock_timestamp()) AS at,
              current_setting('transaction_isolation') AS isolation,
              (SELECT last_seq FROM audit_chain_head WHERE ca_name = $1) AS last_seq,
              (SELECT last_hash FROM audit_chain_head WHERE ca_name = $1) AS last_hash`,
      [ca],
    );
    if (head.isolation !== 'read committed') {
      throw new SignetError(ErrorCode.Internal, `an audit entry can only be appended in a READ COMMITTED transaction, not ${String(head.isolation).toUpperCase()}`, {
        action: entries[0].action,
      });
    }
    let prevHash: string = head.last_hash ?? GENESIS_HASH;
    let seq = head.last_seq === null ? 0 : Number(head.last_seq);
    const chained = entries.map((e) => {
      const entry: ChainedEntry = {
        ca,
        seq: ++seq,
        at: head.at as Date,
        actor: e.actor,
        action: e.action,
        requestId: e.requestId ?? null,
        serial: e.serial ?? null,
        before: e.before ?? null,
        after: e.after ?? null,
        details: normalizeDetails(e.details),
      };
      const hash = chainHash(prevHash, entry);
      const link = { entry, prevHash, hash };
      prevHash = hash;
      return link;
    });
    const last = chained[chained.length - 1];
    const rows: Array<{ id: string; seq: string }> = await m.query(
      `WITH entry AS (
         INSERT INTO audit_log (ca_name, seq, at, actor, action, request_id, serial, before_disposition, after_disposition, details, prev_hash, hash)
         SELECT $1, e.seq, $2, e.actor, e.action, e.request_id, e.serial, e.before, e.after, e.details::jsonb, e.prev_hash, e.hash
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
           AS e(seq, actor, action, request_id, serial, before, after, details, prev_hash, hash)
         RETURNING id, seq),
       head AS (
         INSERT INTO audit_chain_head (ca_name, last_seq, last_id, last_hash)
         SELECT $1, seq, id, $13 FROM entry WHERE seq = $14
         ON CONFLICT (ca_name) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_id = EXCLUDED.last_id, last_hash = EXCLUDED.last_hash)
       SELECT id, seq FROM entry`,
      [
        ca,
        head.at,
        chained.map((c) => c.entry.seq),
        chained.map((c) => c.entry.actor),
        chained.map((c) => c.entry.action),
        chained.map((c) => c.entry.requestId),
        chained.map((c) => c.entry.serial),
        chained.map((c) => c.entry.before),
        chained.map((c) => c.entry.after),
        chained.map((c) => JSON.stringify(c.entry.details)),
        chained.map((c) => c.prevHash),
        chained.map((c) => c.hash),
        last.hash,
        last.entry.seq,
      ],
    );
    const ids = new Map(rows.map((r) => [Number(r.seq), Number(r.id)]));
    return chained.map((c) => ({ id: ids.get(c.entry.seq)!, seq: c.entry.seq, hash: c.hash }));
  }

  /** Entries after `afterId`, oldest first (ICertView on the audit log). */
  /** One entry in a transaction of its own: an action with no change in this database to go with it. */
  record(ca: string, e: AuditInput): Promise<{ id: number; seq: number; hash: string }> {
    return this.ds.transaction((m) => this.append(m, ca, e));
  }

  async list(ca: string, q: { afterId: number; limit: number; requestId?: number }): Promise<AuditEntry[]> {
    const rows = await this.ds.query(
      `SELECT ${ENTRY_COLUMNS} FROM audit_log
       WHERE ca_name = $1 AND id > $2 AND ($3::bigint IS NULL OR request_id = $3)
       ORDER BY id LIMIT $4`,
      [ca, q.afterId, q.requestId ?? null, q.limit],
    );
    return rows.map((r: Record<string, unknown>) => {
      const e = toStored(r);
      return {
        id: e.id,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        requestId: e.requestId,
        serial: e.serial,
        before: e.before,
        after: e.after,
        details: e.details,
        hash: e.hash,
      };
    });
  }

  /** Recomputes the whole chain of one CA; reports the first entry where it breaks. */
  async verify(ca: string): Promise<{ ok: boolean; checked: number; brokenAt: { id: number; reason: string } | null }> {
    const v = new ChainVerifier();
    // Keyset pages over seq: memory stays flat however long the log is.
    let after = 0;
    for (;;) {
      const rows: Array<Record<string, unknown>> = await this.ds.query(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE ca_name = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [ca, after, VERIFY_PAGE],
      );
      let going = true;
      for (const r of rows) {
        going = v.next(toStored(r));
        if (!going) break;
      }
      if (!going || rows.length < VERIFY_PAGE) break;
      after = Number(rows[rows.length - 1].seq);
    }
    const [head] = await this.ds.query(`SELECT last_seq, last_id, last_hash FROM audit_chain_head WHERE ca_name = $1`, [ca]);
    return v.finish(head ? { seq: Number(head.last_seq), id: Number(head.last_id), hash: head.last_hash } : null);
  }
}
