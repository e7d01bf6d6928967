import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { chainHash, GENESIS_HASH, normalizeDetails, type ChainedEntry } from '../../audit/audit-chain';

/**
 * Administration (ICertAdmin / ICertView):
 *  - the audit log becomes a hash chain per CA (seq, prev_hash, hash, and a
 *    chain head row); entries written before this migration are chained in
 *    id order so verify covers them too;
 *  - admin bearer tokens, stored as SHA-256 only;
 *  - the invalidityDate of a revocation;
 *  - indexes for the admin view: every sortable column gets a
 *    (ca_name, column, id) index so a filtered, sorted page is a keyset
 *    range scan. Text columns are indexed (and compared) in the "C"
 *    collation, which makes prefix search and byte order independent of the
 *    database's locale.
 */
export class Administration1764100000000 implements MigrationInterface {
  name = 'Administration1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // --- audit chain
    await q.query(`ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    // The canonical form holds milliseconds; older rows carry microseconds from now().
    await q.query(`UPDATE audit_log SET at = date_trunc('milliseconds', at)`);
    await q.query(`
      CREATE TABLE audit_chain_head (
        ca_name    text PRIMARY KEY,
        last_seq   bigint NOT NULL,
        last_id    bigint NOT NULL,
        last_hash  text NOT NULL
      )`);
    await this.chainExistingEntries(q);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX audit_log_chain ON audit_log (ca_name, seq)`);

    // --- admin tokens
    await q.query(`
      CREATE TABLE admin_token (
        id            bigserial PRIMARY KEY,
        ca_name       text NOT NULL,
        name          text NOT NULL,
        token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
        roles         text[] NOT NULL CHECK (cardinality(roles) > 0),
        created_by    text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz,
        CONSTRAINT admin_token_name UNIQUE (ca_name, name)
      )`);

    // --- revocation
    await q.query(`ALTER TABLE certificate ADD COLUMN invalidity_date timestamptz`);

    // --- admin view indexes (see docs/benchmarks.md, "Admin view")
    // Each request-side index carries the disposition, so a preset plus a filter is decided inside the index
    // (counts become index-only scans instead of visiting every candidate row).
    await q.query(`CREATE INDEX request_ca_id ON request (ca_name, id) INCLUDE (disposition)`);
    await q.query(`DROP INDEX request_submitted`);
    await q.query(`CREATE INDEX request_submitted ON request (ca_name, submitted_at, id) INCLUDE (disposition)`);
    await q.query(`CREATE INDEX request_resolved ON request (ca_name, resolved_at, id) INCLUDE (disposition)`);
    await q.query(`CREATE INDEX request_requester ON request (ca_name, (requester_name COLLATE "C"), id) INCLUDE (disposition)`);
    await q.query(`CREATE INDEX request_template ON request (ca_name, (template COLLATE "C"), id) INCLUDE (disposition)`);
    await q.query(`CREATE INDEX request_subject ON request (ca_name, (subject COLLATE "C"), id) INCLUDE (disposition)`);
    await q.query(`DROP INDEX certificate_not_after`);
    await q.query(`CREATE INDEX certificate_not_after ON certificate (ca_name, not_after, request_id)`);
    await q.query(`CREATE INDEX certificate_not_before ON certificate (ca_name, not_before, request_id)`);
    await q.query(`CREATE INDEX certificate_serial ON certificate (ca_name, (serial COLLATE "C"))`);
    await q.query(`CREATE INDEX certificate_revoked ON certificate (ca_name, revoked_at, request_id) WHERE revoked_at IS NOT NULL`);
    // By reason, newest revocation first: the usual question about revocations ("keyCompromise, latest first").
    await q.query(`CREATE INDEX certificate_revoked_reason ON certificate (ca_name, revoked_reason, revoked_at, request_id) WHERE revoked_reason IS NOT NULL`);
    // The queue (pending, in process) is small and all recent: an ordered scan of the whole table by time or id
    // would wade through every resolved request before finding it. These hold only the queue.
    await q.query(`CREATE INDEX request_unresolved_id ON request (ca_name, id) WHERE disposition IN ('pending', 'in_process')`);
    await q.query(`CREATE INDEX request_unresolved_submitted ON request (ca_name, submitted_at, id) WHERE disposition IN ('pending', 'in_process')`);
  }

  /** Chains rows written before this migration, per CA in id order, in pages. */
  private async chainExistingEntries(q: QueryRunner): Promise<void> {
    const cas: Array<{ ca_name: string }> = await q.query(`SELECT DISTINCT ca_name FROM audit_log ORDER BY ca_name`);
    for (const { ca_name: ca } of cas) {
      let prevHash = GENESIS_HASH;
      let seq = 0;
      let lastId = 0;
      for (;;) {
        const rows: Array<Record<string, unknown>> = await q.query(
          `SELECT id, at, actor, action, request_id, serial, before_disposition, after_disposition, details
           FROM audit_log WHERE ca_name = $1 AND id > $2 ORDER BY id LIMIT 1000`,
          [ca, lastId],
        );
        if (rows.length === 0) break;
        for (const r of rows) {
          const entry: ChainedEntry = {
            ca,
            seq: ++seq,
            at: r.at as Date,
            actor: r.actor as string,
            action: r.action as string,
            requestId: r.request_id === null ? null : Number(r.request_id),
            serial: (r.serial as string | null) ?? null,
            before: (r.before_disposition as string | null) ?? null,
            after: (r.after_disposition as string | null) ?? null,
            details: normalizeDetails(r.details as Record<string, unknown>),
          };
          const hash = chainHash(prevHash, entry);
          await q.query(`UPDATE audit_log SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1`, [r.id, seq, prevHash, hash]);
          prevHash = hash;
          lastId = Number(r.id);
        }
      }
      await q.query(`INSERT INTO audit_chain_head (ca_name, last_seq, last_id, last_hash) VALUES ($1, $2, $3, $4)`, [ca, seq, lastId, prevHash]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['request_unresolved_submitted', 'request_unresolved_id', 'certificate_revoked_reason', 'certificate_revoked', 'certificate_serial', 'certificate_not_before', 'certificate_not_after',
      'request_subject', 'request_template', 'request_requester', 'request_resolved', 'request_submitted', 'request_ca_id', 'audit_log_chain']) {
      await q.query(`DROP INDEX IF EXISTS ${i}`);
    }
    await q.query(`CREATE INDEX request_submitted ON request (ca_name, submitted_at)`);
    await q.query(`CREATE INDEX certificate_not_after ON certificate (ca_name, not_after)`);
    await q.query(`ALTER TABLE certificate DROP COLUMN invalidity_date`);
    await q.query(`DROP TABLE admin_token`);
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash`);
  }
}
