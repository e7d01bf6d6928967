import { Injectable } from '@nestjs/common';
import { type DecidingRule, Disposition, type ExtensionOrigin, type Identity, type Name, type RequestType, requesterNameOf } from '@signet/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditStore } from '../audit/audit.store';
import { type DraftExtension } from './certificate-draft';
import { RequestAction, transition } from './request-state';

/** A request row as ca-core works with it. */
export interface RequestRow {
  id: number;
  caName: string;
  disposition: Disposition;
  message: string;
  statusCode: number;
  /** `imported`: made by ImportCertificate; rawRequest is empty then. */
  requestType: RequestType;
  decidedBy: DecidingRule | null;
  rawRequest: Buffer;
  requestSha256: string;
  attributesRaw: string;
  /** `<method>:<principal>` of `identity` (AD CS RequesterName); for an imported row, the importing officer. */
  requesterName: string;
  /** Who submitted it, as verified at submit (ADR 0026); null for imported rows and rows from before. */
  identity: Identity | null;
  subject: string;
  template: string | null;
  idempotencyKey: string | null;
  certSubject: Name | null;
  submittedAt: Date;
  resolvedAt: Date | null;
  version: number;
  /** SHA-256 (hex) of the retrieval secret its submitter was given; null for rows from before and imported ones. */
  retrievalSecretSha256: string | null;
  /** Issued after the submit answered, and not yet retrieved by its owner (AD CS RetrievePending). */
  awaitingRetrieval: boolean;
}

export interface CertificateRow {
  serial: string;
  requestId: number;
  der: Buffer;
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
  revokedReason: number | null;
}

const REQUEST_COLUMNS = `id, ca_name, disposition, disposition_message, status_code, request_type, decided_by, raw_request, request_sha256,
  attributes_raw, requester_name, identity, subject, template, idempotency_key, cert_subject, submitted_at, resolved_at, version, retrieval_secret_sha256, awaiting_retrieval`;

function toRequest(r: Record<string, unknown>): RequestRow {
  return {
    id: Number(r.id),
    caName: r.ca_name as string,
    disposition: r.disposition as Disposition,
    message: r.disposition_message as string,
    statusCode: r.status_code as number,
    requestType: r.request_type as RequestType,
    decidedBy: (r.decided_by as DecidingRule) ?? null,
    rawRequest: r.raw_request as Buffer,
    requestSha256: r.request_sha256 as string,
    attributesRaw: r.attributes_raw as string,
    requesterName: r.requester_name as string,
    identity: (r.identity as Identity) ?? null,
    subject: r.subject as string,
    template: (r.template as string) ?? null,
    idempotencyKey: (r.idempotency_key as string) ?? null,
    certSubject: (r.cert_subject as Name) ?? null,
    submittedAt: r.submitted_at as Date,
    resolvedAt: (r.resolved_at as Date) ?? null,
    version: r.version as number,
    retrievalSecretSha256: (r.retrieval_secret_sha256 as string) ?? null,
    awaitingRetrieval: r.awaiting_retrieval === true,
  };
}

export interface NewRequest {
  caName: string;
  rawRequest: Buffer;
  requestSha256: string;
  attributesRaw: string;
  attributes: Array<{ name: string; displayName: string; value: string }>;
  extensions: DraftExtension[];
  identity: Identity;
  subject: string;
  idempotencyKey?: string;
  /** Only the hash: the secret goes to the submitter and nowhere else. */
  retrievalSecretSha256: string;
  /** The in-process lease the submitting ca-core takes (ADR 0034). */
  leaseMs: number;
}

export interface DispositionUpdate {
  disposition: Disposition;
  message: string;
  statusCode?: number;
  decidedBy?: DecidingRule | null;
  template?: string | null;
  certSubject?: Name | null;
  certNotBefore?: Date | null;
  certNotAfter?: Date | null;
  resolved?: boolean;
}

/** SQL for requests and their attributes, extensions and certificates. */
@Injectable()
export class RequestStore {
  private readonly audit: AuditStore;

  constructor(
    readonly ds: DataSource,
    audit?: AuditStore,
  ) {
    this.audit = audit ?? new AuditStore(ds);
  }

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  /** Inserts a new request in process; returns undefined when the idempotency key is taken. */
  async insert(m: EntityManager, r: NewRequest): Promise<number | undefined> {
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO request (ca_name, disposition, raw_request, request_sha256, attributes_raw, requester_name, identity, subject, idempotency_key, retrieval_secret_sha256, lease_until)
       VALUES ($1, 'in_process', $2, $3, $4, $5, $6::jsonb, $7, $8, $9, now() + make_interval(secs => $10::double precision / 1000))
       ON CONFLICT (ca_name, idempotency_key) DO NOTHING RETURNING id`,
      [r.caName, r.rawRequest, r.requestSha256, r.attributesRaw, requesterNameOf(r.identity), JSON.stringify(r.identity), r.subject, r.idempotencyKey ?? null, r.retrievalSecretSha256, r.leaseMs],
    );
    if (rows.length === 0) return undefined;
    const id = Number(rows[0].id);
    for (const a of r.attributes) {
      await m.query(`INSERT INTO request_attribute (request_id, name, display_name, value, origin) VALUES ($1, $2, $3, $4, 'request')`, [id, a.name, a.displayName, a.value]);
    }
    await this.writeExtensions(m, id, r.extensions);
    return id;
  }

  /**
   * ImportCertificate: the request row of a certificate the CA issued
   * before its database knew of it. There is no certificate request; the
   * row is born issued, with the certificate's subject and dates, and its
   * sha256 stands where a request's would.
   */
  async insertImported(m: EntityManager, r: { caName: string; requesterName: string; subject: Name; subjectText: string; notBefore: Date; notAfter: Date; sha256: string; message: string }): Promise<number> {
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO request (ca_name, disposition, disposition_message, request_type, raw_request, request_sha256, requester_name, subject, cert_subject, cert_not_before, cert_not_after, resolved_at)
       VALUES ($1, 'issued', $2, 'imported', ''::bytea, $3, $4, $5, $6::jsonb, $7, $8, now()) RETURNING id`,
      [r.caName, r.message.slice(0, 4096), r.sha256, r.requesterName, r.subjectText, JSON.stringify(r.subject), r.notBefore, r.notAfter],
    );
    return Number(rows[0].id);
  }

  /** Reserves a serial inside a transaction; false when another request holds it (the caller rolls back). */
  async reserveSerialIn(m: EntityManager, caName: string, serial: string, requestId: number): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO serial_reservation (ca_name, serial, request_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING serial`,
      [caName, serial, requestId],
    );
    return rows.length === 1;
  }

  async findByIdempotencyKey(caName: string, key: string): Promise<RequestRow | undefined> {
    const rows = await this.ds.query(`SELECT ${REQUEST_COLUMNS} FROM request WHERE ca_name = $1 AND idempotency_key = $2`, [caName, key]);
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  async get(caName: string, id: number, m: EntityManager = this.ds.manager): Promise<RequestRow | undefined> {
    const rows = await m.query(`SELECT ${REQUEST_COLUMNS} FROM request WHERE ca_name = $1 AND id = $2`, [caName, id]);
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  /** Locks the row for the rest of the transaction: one actor at a time per request. */
  async lock(m: EntityManager, caName: string, id: number): Promise<RequestRow | undefined> {
    const rows = await m.query(`SELECT ${REQUEST_COLUMNS} FROM request WHERE ca_name = $1 AND id = $2 FOR UPDATE`, [caName, id]);
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  async update(m: EntityManager, id: number, u: DispositionUpdate): Promise<void> {
    await m.query(
      `UPDATE request SET disposition = $2, disposition_message = $3, status_code = COALESCE($4, status_code),
         decided_by = CASE WHEN $5::boolean THEN $6::jsonb ELSE decided_by END,
         template = CASE WHEN $7::boolean THEN $8 ELSE template END,
         cert_subject = CASE WHEN $9::boolean THEN $10::jsonb ELSE cert_subject END,
         cert_not_before = CASE WHEN $9::boolean THEN $11 ELSE cert_not_before END,
         cert_not_after = CASE WHEN $9::boolean THEN $12 ELSE cert_not_after END,
         resolved_at = CASE WHEN $13::boolean THEN now() ELSE resolved_at END,
         version = version + 1
       WHERE id = $1`,
      [
        id,
        u.disposition,
        u.message.slice(0, 4096),
        u.statusCode ?? null,
        u.decidedBy !== undefined,
        u.decidedBy ? JSON.stringify(u.decidedBy) : null,
        u.template !== undefined,
        u.template ?? null,
        u.certSubject !== undefined,
        u.certSubject ? JSON.stringify(u.certSubject) : null,
        u.certNotBefore ?? null,
        u.certNotAfter ?? null,
        u.resolved ?? false,
      ],
    );
  }

  /** An idempotent retry's fresh secret replaces the one before (whose text is gone: only its hash was kept). */
  async replaceRetrievalSecret(m: EntityManager, caName: string, id: number, sha256: string): Promise<void> {
    await m.query(`UPDATE request SET retrieval_secret_sha256 = $3 WHERE ca_name = $1 AND id = $2`, [caName, id, sha256]);
  }

  /** The certificate was issued after the submit answered: its owner's first retrieval is an event. */
  async setAwaitingRetrieval(m: EntityManager, id: number): Promise<void> {
    await m.query(`UPDATE request SET awaiting_retrieval = true WHERE id = $1`, [id]);
  }

  /** Clears awaiting_retrieval; true for exactly one of any number of concurrent callers. */
  async claimFirstRetrieval(m: EntityManager, caName: string, id: number): Promise<boolean> {
    // Wrapped in a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of the rows.
    const rows = await m.query(
      `WITH claimed AS (UPDATE request SET awaiting_retrieval = false WHERE ca_name = $1 AND id = $2 AND awaiting_retrieval RETURNING id) SELECT id FROM claimed`,
      [caName, id],
    );
    return rows.length === 1;
  }

  async attributes(id: number, m: EntityManager = this.ds.manager): Promise<Array<{ name: string; displayName: string; value: string }>> {
    const rows = await m.query(`SELECT name, display_name, value FROM request_attribute WHERE request_id = $1 ORDER BY name`, [id]);
    return rows.map((r: Record<string, string>) => ({ name: r.name, displayName: r.display_name, value: r.value }));
  }

  async extensions(id: number, m: EntityManager = this.ds.manager): Promise<DraftExtension[]> {
    const rows = await m.query(`SELECT oid, origin, critical, disabled, value FROM request_extension WHERE request_id = $1 ORDER BY origin, oid`, [id]);
    return rows.map((r: Record<string, unknown>) => ({
      oid: r.oid as string,
      origin: r.origin as ExtensionOrigin,
      critical: r.critical as boolean,
      disabled: r.disabled as boolean,
      value: r.value as Buffer,
    }));
  }

  /** Replaces the extensions of the given origins (a policy pass rewrites its own). */
  async replaceExtensions(m: EntityManager, id: number, origins: ExtensionOrigin[], exts: DraftExtension[]): Promise<void> {
    await m.query(`DELETE FROM request_extension WHERE request_id = $1 AND origin = ANY($2)`, [id, origins]);
    await this.writeExtensions(m, id, exts.filter((e) => origins.includes(e.origin)));
  }

  private async writeExtensions(m: EntityManager, id: number, exts: DraftExtension[]): Promise<void> {
    for (const e of exts) {
      await m.query(
        `INSERT INTO request_extension (request_id, oid, origin, critical, disabled, value) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (request_id, origin, oid) DO UPDATE SET critical = EXCLUDED.critical, disabled = EXCLUDED.disabled, value = EXCLUDED.value`,
        [id, e.oid, e.origin, e.critical, e.disabled, e.value],
      );
    }
  }

  /** The request a serial is reserved for, if any. */
  async serialHolder(m: EntityManager, caName: string, serial: string): Promise<number | undefined> {
    const rows = await m.query(`SELECT request_id FROM serial_reservation WHERE ca_name = $1 AND serial = $2`, [caName, serial]);
    return rows[0] ? Number(rows[0].request_id) : undefined;
  }

  /** Reserves a serial before anything is signed; false when it is taken. */
  reserveSerial(caName: string, serial: string, requestId: number): Promise<boolean> {
    return this.reserveSerialIn(this.ds.manager, caName, serial, requestId);
  }

  async insertCertificate(
    m: EntityManager,
    c: { caName: string; serial: string; requestId: number; der: Buffer; sha256: string; subject: string; template: string | null; notBefore: Date; notAfter: Date },
  ): Promise<void> {
    await m.query(
      `INSERT INTO certificate (ca_name, serial, request_id, der, sha256, subject, template, not_before, not_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [c.caName, c.serial, c.requestId, c.der, c.sha256, c.subject, c.template, c.notBefore, c.notAfter],
    );
  }

  async certificateOf(caName: string, requestId: number, m: EntityManager = this.ds.manager): Promise<CertificateRow | undefined> {
    const rows = await m.query(
      `SELECT serial, request_id, der, not_before, not_after, revoked_at, revoked_reason FROM certificate WHERE ca_name = $1 AND request_id = $2`,
      [caName, requestId],
    );
    const r = rows[0];
    return r
      ? { serial: r.serial, requestId: Number(r.request_id), der: r.der, notBefore: r.not_before, notAfter: r.not_after, revokedAt: r.revoked_at, revokedReason: r.revoked_reason }
      : undefined;
  }

  async countCertificates(caName: string): Promise<number> {
    const rows = await this.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE ca_name = $1`, [caName]);
    return rows[0].n;
  }

  /** Extends the lease of a request this process is working on; a request no longer in process is left as it is. */
  async renewLease(caName: string, requestId: number, leaseMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE request SET lease_until = now() + make_interval(secs => $3::double precision / 1000) WHERE ca_name = $1 AND id = $2 AND disposition = 'in_process'`,
      [caName, requestId, leaseMs],
    );
  }

  /**
   * Requests left in process by a crash or a broken connection (their lease
   * ran out; a row from before leases counts from its submit) are parked as
   * pending, so their submitter's retry gets an answer and an administrator
   * can resubmit them: nothing accepted is lost (ADR 0034). SKIP LOCKED: a
   * row another ca-core is sweeping, or finishing under its row lock, is
   * left to it. One transaction: each parked request gets its chained audit
   * record, like every other transition.
   */
  async parkExpired(caName: string, leaseMs: number, limit = 100): Promise<number[]> {
    const t = transition(Disposition.InProcess, RequestAction.Park);
    if (!t.ok) throw new Error(t.reason);
    return this.transaction(async (m) => {
      const rows: Array<{ id: string }> = await m.query(
        // Wrapped in a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of the rows.
        `WITH taken AS (
           SELECT id FROM request
           WHERE ca_name = $1 AND disposition = 'in_process'
             AND coalesce(lease_until, submitted_at + make_interval(secs => $2::double precision / 1000)) < now()
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),
         parked AS (
           UPDATE request r SET disposition = $4, disposition_message = 'processing was interrupted; resubmit to continue', lease_until = NULL, version = version + 1
           FROM taken WHERE r.id = taken.id RETURNING r.id)
         SELECT id FROM parked`,
        [caName, leaseMs, limit, t.to],
      );
      const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      for (const id of ids) {
        await this.audit.append(m, caName, { actor: 'ca', action: 'request.park', requestId: id, before: Disposition.InProcess, after: t.to });
      }
      return ids;
    });
  }
}
