import { Injectable } from '@nestjs/common';
import { type ExtensionOrigin } from '@signet/contracts';
import { DataSource, type EntityManager } from 'typeorm';

/** A certificate as administration sees it (AD CS Certificate table + revocation columns). */
export interface AdminCertificateRow {
  serial: string;
  requestId: number;
  der: Buffer;
  subject: string;
  template: string | null;
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
  effectiveAt: Date | null;
  reason: number | null;
  invalidityDate: Date | null;
}

const CERT_COLUMNS = `serial, request_id, der, subject, template, not_before, not_after, revoked_at, revoked_effective_at, revoked_reason, invalidity_date`;

function toCert(r: Record<string, unknown>): AdminCertificateRow {
  return {
    serial: r.serial as string,
    requestId: Number(r.request_id),
    der: r.der as Buffer,
    subject: r.subject as string,
    template: (r.template as string | null) ?? null,
    notBefore: r.not_before as Date,
    notAfter: r.not_after as Date,
    revokedAt: (r.revoked_at as Date | null) ?? null,
    effectiveAt: (r.revoked_effective_at as Date | null) ?? null,
    reason: (r.revoked_reason as number | null) ?? null,
    invalidityDate: (r.invalidity_date as Date | null) ?? null,
  };
}

export interface StoredAttribute {
  name: string;
  displayName: string;
  value: string;
  origin: 'request' | 'admin';
}

/**
 * SQL that only administration needs: certificates by serial, revocation,
 * admin-set attributes and extensions. The request row itself goes through
 * RequestStore (lock, update), like every other transition.
 */
@Injectable()
export class AdminStore {
  constructor(private readonly ds: DataSource) {}

  async certificate(ca: string, serial: string, m: EntityManager = this.ds.manager): Promise<AdminCertificateRow | undefined> {
    const rows = await m.query(`SELECT ${CERT_COLUMNS} FROM certificate WHERE ca_name = $1 AND serial = $2`, [ca, serial]);
    return rows[0] ? toCert(rows[0]) : undefined;
  }

  async certificateOfRequest(ca: string, requestId: number): Promise<AdminCertificateRow | undefined> {
    const rows = await this.ds.query(`SELECT ${CERT_COLUMNS} FROM certificate WHERE ca_name = $1 AND request_id = $2`, [ca, requestId]);
    return rows[0] ? toCert(rows[0]) : undefined;
  }

  /** Locks the certificate row; call after locking its request row (one lock order everywhere). */
  async lockCertificate(m: EntityManager, ca: string, serial: string): Promise<AdminCertificateRow | undefined> {
    const rows = await m.query(`SELECT ${CERT_COLUMNS} FROM certificate WHERE ca_name = $1 AND serial = $2 FOR UPDATE`, [ca, serial]);
    return rows[0] ? toCert(rows[0]) : undefined;
  }

  /** Records a revocation; the first revocation time is kept when one is repeated. */
  async revoke(m: EntityManager, ca: string, serial: string, r: { reason: number; effectiveAt: Date | null; invalidityDate: Date | null }): Promise<void> {
    await m.query(
      `UPDATE certificate SET revoked_at = COALESCE(revoked_at, now()), revoked_effective_at = COALESCE($3::timestamptz, now()),
         revoked_reason = $4, invalidity_date = COALESCE($5::timestamptz, invalidity_date)
       WHERE ca_name = $1 AND serial = $2`,
      [ca, serial, r.effectiveAt, r.reason, r.invalidityDate],
    );
  }

  async release(m: EntityManager, ca: string, serial: string): Promise<void> {
    await m.query(
      `UPDATE certificate SET revoked_at = NULL, revoked_effective_at = NULL, revoked_reason = NULL, invalidity_date = NULL WHERE ca_name = $1 AND serial = $2`,
      [ca, serial],
    );
  }

  async attributes(requestId: number, m: EntityManager = this.ds.manager): Promise<StoredAttribute[]> {
    const rows = await m.query(`SELECT name, display_name, value, origin FROM request_attribute WHERE request_id = $1 ORDER BY name`, [requestId]);
    return rows.map((r: Record<string, string>) => ({ name: r.name, displayName: r.display_name, value: r.value, origin: r.origin as StoredAttribute['origin'] }));
  }

  /** Adds or replaces parsed attributes (SetRequestAttributes); the raw attribute string is not touched. */
  async setAttributes(m: EntityManager, requestId: number, attrs: Array<{ name: string; displayName: string; value: string }>): Promise<void> {
    for (const a of attrs) {
      await m.query(
        `INSERT INTO request_attribute (request_id, name, display_name, value, origin) VALUES ($1, $2, $3, $4, 'admin')
         ON CONFLICT (request_id, name) DO UPDATE SET display_name = EXCLUDED.display_name, value = EXCLUDED.value, origin = 'admin'`,
        [requestId, a.name, a.displayName, a.value],
      );
    }
  }

  async setExtension(m: EntityManager, requestId: number, e: { oid: string; critical: boolean; disabled: boolean; value: Buffer }): Promise<void> {
    const origin: ExtensionOrigin = 'admin';
    await m.query(
      `INSERT INTO request_extension (request_id, oid, origin, critical, disabled, value) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (request_id, origin, oid) DO UPDATE SET critical = EXCLUDED.critical, disabled = EXCLUDED.disabled, value = EXCLUDED.value`,
      [requestId, e.oid, origin, e.critical, e.disabled, e.value],
    );
  }

  /**
   * A resubmit's claim: the request goes back in process, with its status
   * and resolution cleared, before the policy is asked again; with a fresh
   * lease, so no sweeper takes it before the issuance renews it (ADR 0034).
   */
  async claim(m: EntityManager, requestId: number, message: string, leaseMs: number): Promise<void> {
    await m.query(
      `UPDATE request SET disposition = 'in_process', disposition_message = $2, status_code = 0, resolved_at = NULL, version = version + 1,
         lease_until = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
      [requestId, message, leaseMs],
    );
  }

  async touch(m: EntityManager, requestId: number): Promise<void> {
    await m.query(`UPDATE request SET version = version + 1 WHERE id = $1`, [requestId]);
  }
}
