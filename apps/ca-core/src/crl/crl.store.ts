import { Injectable } from '@nestjs/common';
import { type CrlEntry } from '@signet/x509';
import { DataSource, type EntityManager } from 'typeorm';

export interface CrlRow {
  number: number;
  isDelta: boolean;
  baseNumber: number | null;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  size: number;
  sha256: string;
}

export interface NewCrl {
  number: number;
  isDelta: boolean;
  baseNumber: number | null;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Buffer;
  sha256: string;
  entries: number;
  issuedBy: string;
}

/** One page of revoked certificates read for a base CRL. */
const PAGE = 20_000;

const META = `number, is_delta, base_number, this_update, next_update, entries, octet_length(der) AS size, sha256`;

function toRow(r: Record<string, unknown>): CrlRow {
  return {
    number: Number(r.number),
    isDelta: r.is_delta as boolean,
    baseNumber: r.base_number === null ? null : Number(r.base_number),
    thisUpdate: r.this_update as Date,
    nextUpdate: r.next_update as Date,
    entries: Number(r.entries),
    size: Number(r.size),
    sha256: r.sha256 as string,
  };
}

interface RevokedRow {
  serial: string;
  revoked_at: Date;
  effective: Date;
  reason: number | null;
  invalidity_date: Date | null;
}

function toEntry(r: RevokedRow): CrlEntry {
  return {
    serialHex: r.serial,
    revocationDate: r.effective,
    reason: r.reason ?? 0,
    ...(r.invalidity_date ? { invalidityDate: r.invalidity_date } : {}),
  };
}

/**
 * The CRL tables and the reads a CRL is made of. A certificate is "listed"
 * at time T when it is revoked with an effective date at or before T and
 * has not been expired for longer than the retention.
 */
@Injectable()
export class CrlStore {
  constructor(private readonly ds: DataSource) {}

  async latest(ca: string, delta: boolean, m: EntityManager | DataSource = this.ds): Promise<CrlRow | undefined> {
    const [r] = await m.query(`SELECT ${META} FROM crl WHERE ca_name = $1 AND is_delta = $2 ORDER BY number DESC LIMIT 1`, [ca, delta]);
    return r ? toRow(r) : undefined;
  }

  async byNumber(ca: string, number: number): Promise<CrlRow | undefined> {
    const [r] = await this.ds.query(`SELECT ${META} FROM crl WHERE ca_name = $1 AND number = $2`, [ca, number]);
    return r ? toRow(r) : undefined;
  }

  /** Bytes [offset, offset+length) of a stored CRL, read in the database (never the whole DER for one slice). */
  async slice(ca: string, number: number, offset: number, length: number): Promise<Buffer> {
    const [r] = await this.ds.query(`SELECT substring(der FROM $3::int + 1 FOR $4::int) AS part FROM crl WHERE ca_name = $1 AND number = $2`, [ca, number, offset, length]);
    return (r?.part as Buffer | undefined) ?? Buffer.alloc(0);
  }

  /** The next number of the CA's one CRL sequence; call under the CRL lock. */
  async nextNumber(m: EntityManager, ca: string): Promise<number> {
    const [r] = await m.query(`SELECT coalesce(max(number), 0) + 1 AS n FROM crl WHERE ca_name = $1`, [ca]);
    return Number(r.n);
  }

  /**
   * Every certificate listed at `at`, in serial order, page by page (keyset
   * on the partial index of revoked certificates), so a million entries
   * never sit in memory as rows at once.
   */
  async *listed(m: EntityManager, ca: string, at: Date, retentionMs: number): AsyncGenerator<CrlEntry[]> {
    let after = '';
    const expiredBefore = new Date(at.getTime() - retentionMs);
    for (;;) {
      const rows: RevokedRow[] = await m.query(
        `SELECT serial, revoked_at, coalesce(revoked_effective_at, revoked_at) AS effective, revoked_reason AS reason, invalidity_date
           FROM certificate
          WHERE ca_name = $1 AND revoked_at IS NOT NULL AND serial > $2
            AND coalesce(revoked_effective_at, revoked_at) <= $3 AND not_after >= $4
          ORDER BY serial LIMIT ${PAGE}`,
        [ca, after, at, expiredBefore],
      );
      if (rows.length === 0) return;
      yield rows.map(toEntry);
      after = rows[rows.length - 1].serial;
      if (rows.length < PAGE) return;
    }
  }

  /**
   * What changed since the base CRL (RFC 5280 5.2.4): certificates listed now
   * that were not listed at the base's thisUpdate (revoked, or taking effect,
   * after it), and certificates the base had on hold whose reason changed.
   * Certificates the base had on hold that are no longer revoked come back
   * as removeFromCRL.
   */
  async changedSince(m: EntityManager, ca: string, base: CrlRow, at: Date, retentionMs: number): Promise<CrlEntry[]> {
    const rows: RevokedRow[] = await m.query(
      `SELECT c.serial, c.revoked_at, coalesce(c.revoked_effective_at, c.revoked_at) AS effective, c.revoked_reason AS reason, c.invalidity_date
         FROM certificate c
         LEFT JOIN crl_hold h ON h.ca_name = c.ca_name AND h.crl_number = $2 AND h.serial = c.serial
        WHERE c.ca_name = $1 AND c.revoked_at IS NOT NULL
          AND coalesce(c.revoked_effective_at, c.revoked_at) <= $4 AND c.not_after >= $5
          AND (c.revoked_at > $3 OR coalesce(c.revoked_effective_at, c.revoked_at) > $3
               OR (h.serial IS NOT NULL AND c.revoked_reason IS DISTINCT FROM 6))
        ORDER BY c.serial`,
      [ca, base.number, base.thisUpdate, at, new Date(at.getTime() - retentionMs)],
    );
    const released: Array<{ serial: string; revoked_at: Date }> = await m.query(
      `SELECT h.serial, h.revoked_at
         FROM crl_hold h JOIN certificate c ON c.ca_name = h.ca_name AND c.serial = h.serial
        WHERE h.ca_name = $1 AND h.crl_number = $2 AND c.revoked_at IS NULL
        ORDER BY h.serial`,
      [ca, base.number],
    );
    return [
      ...rows.map(toEntry),
      // removeFromCRL (8): the hold the base lists is over.
      ...released.map((r) => ({ serialHex: r.serial, revocationDate: r.revoked_at, reason: 8 })),
    ].sort((a, b) => (a.serialHex < b.serialHex ? -1 : a.serialHex > b.serialHex ? 1 : 0));
  }

  async insert(m: EntityManager, ca: string, crl: NewCrl): Promise<void> {
    await m.query(
      `INSERT INTO crl (ca_name, number, is_delta, base_number, this_update, next_update, der, sha256, entries, issued_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [ca, crl.number, crl.isDelta, crl.baseNumber, crl.thisUpdate, crl.nextUpdate, crl.der, crl.sha256, crl.entries, crl.issuedBy],
    );
  }

  /** Records which entries of a base CRL are holds (for removeFromCRL in its deltas). */
  async recordHolds(m: EntityManager, ca: string, number: number, holds: Array<{ serial: string; revokedAt: Date }>): Promise<void> {
    for (let i = 0; i < holds.length; i += 5_000) {
      const part = holds.slice(i, i + 5_000);
      await m.query(
        `INSERT INTO crl_hold (ca_name, crl_number, serial, revoked_at)
         SELECT $1, $2, s, t FROM unnest($3::text[], $4::timestamptz[]) AS u(s, t)`,
        [ca, number, part.map((h) => h.serial), part.map((h) => h.revokedAt)],
      );
    }
  }

  /** Drops CRLs older than the history window, never the newest base or delta. */
  async prune(m: EntityManager, ca: string, olderThan: Date): Promise<void> {
    await m.query(
      `DELETE FROM crl WHERE ca_name = $1 AND next_update < $2
          AND number NOT IN (SELECT max(number) FROM crl WHERE ca_name = $1 GROUP BY is_delta)`,
      [ca, olderThan],
    );
  }
}
