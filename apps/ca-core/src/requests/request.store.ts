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
  /** Parked because its processing was interrupted: its submitter's retry carries on with it (ADR 0037). */
  resumable: boolean;
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
  attributes_raw, requester_name, identity, subject, template, idempotency_key, cert_subject, submitted_at, resolved_at, version, retrieval_secret_sha256, awaiting_retrieval, resumable`;

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
    resumable: r.resumable === true,
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
    const [got] = await this.insertMany(m, [r]);
    return got?.id;
  }

  /**
   * Inserts new requests in process, with their attributes and extensions,
   * in three statements however many there are (group commit, ADR 0037).
   * One result per request, in order: its id and submit time, or undefined
   * when its idempotency key is taken (by an earlier request or an earlier
   * one of this batch).
   */
  async insertMany(m: EntityManager, rs: NewRequest[]): Promise<Array<{ id: number; submittedAt: Date } | undefined>> {
    if (rs.length === 0) return [];
    const caNames = [...new Set(rs.map((r) => r.caName))];
    if (caNames.length !== 1) throw new Error('a batch of requests belongs to one CA');
    // The retrieval secret's hash is unique to each request (32 random octets): it says which returned id is whose.
    const rows: Array<{ id: string; retrieval_secret_sha256: string; submitted_at: Date }> = await m.query(
      `INSERT INTO request (ca_name, disposition, raw_request, request_sha256, attributes_raw, requester_name, identity, subject, idempotency_key, retrieval_secret_sha256, lease_until)
       SELECT $1, 'in_process', r.raw, r.sha, r.attrs, r.requester, r.identity::jsonb, r.subject, r.idem, r.secret, now() + make_interval(secs => $2::double precision / 1000)
       FROM unnest($3::bytea[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY
         AS r(raw, sha, attrs, requester, identity, subject, idem, secret, n)
       ORDER BY r.n
       ON CONFLICT (ca_name, idempotency_key) DO NOTHING RETURNING id, retrieval_secret_sha256, submitted_at`,
      [
        caNames[0],
        Math.max(...rs.map((r) => r.leaseMs)),
        rs.map((r) => r.rawRequest),
        rs.map((r) => r.requestSha256),
        rs.map((r) => r.attributesRaw),
        rs.map((r) => requesterNameOf(r.identity)),
        rs.map((r) => JSON.stringify(r.identity)),
        rs.map((r) => r.subject),
        rs.map((r) => r.idempotencyKey ?? null),
        rs.map((r) => r.retrievalSecretSha256),
      ],
    );
    const bySecret = new Map(rows.map((r) => [r.retrieval_secret_sha256, { id: Number(r.id), submittedAt: r.submitted_at }]));
    const out = rs.map((r) => bySecret.get(r.retrievalSecretSha256));
    const attrs = rs.flatMap((r, i) => (out[i] ? r.attributes.map((a) => ({ id: out[i]!.id, ...a })) : []));
    if (attrs.length) {
      await m.query(
        `INSERT INTO request_attribute (request_id, name, display_name, value, origin) SELECT a.id, a.name, a.display, a.value, 'request' FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS a(id, name, display, value)`,
        [attrs.map((a) => a.id), attrs.map((a) => a.name), attrs.map((a) => a.displayName), attrs.map((a) => a.value)],
      );
    }
    await this.writeExtensionsMany(m, rs.flatMap((r, i) => (out[i] ? r.extensions.map((e) => ({ requestId: out[i]!.id, ...e })) : [])));
    return out;
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

  /**
   * Reserves serials for several requests in one statement; returns the
   * serials reserved (one another request holds is missing from it).
   */
  async reserveSerialsIn(m: EntityManager, caName: string, wanted: Array<{ serial: string; requestId: number }>): Promise<Set<string>> {
    if (wanted.length === 0) return new Set();
    const rows: Array<{ serial: string }> = await m.query(
      `INSERT INTO serial_reservation (ca_name, serial, request_id) SELECT $1, s.serial, s.id FROM unnest($2::text[], $3::bigint[]) AS s(serial, id)
       ON CONFLICT DO NOTHING RETURNING serial`,
      [caName, wanted.map((w) => w.serial), wanted.map((w) => w.requestId)],
    );
    return new Set(rows.map((r) => r.serial));
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

  /**
   * Locks several rows for the rest of the transaction, in id order (two
   * batches never wait on each other crosswise); their states by id.
   */
  async lockMany(m: EntityManager, caName: string, ids: number[]): Promise<Map<number, Disposition>> {
    const rows: Array<{ id: string; disposition: Disposition }> = await m.query(
      `SELECT id, disposition FROM request WHERE ca_name = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`,
      [caName, [...ids].sort((a, b) => a - b)],
    );
    return new Map(rows.map((r) => [Number(r.id), r.disposition]));
  }

  /**
   * `update` for several rows in one statement. Each sets disposition,
   * message, deciding rule and template; the certificate's subject and dates
   * only where `certSubject` is given; `awaitingRetrieval` and `resumable`
   * as said (the first only ever switched on here).
   */
  async updateMany(m: EntityManager, us: Array<DispositionUpdate & { id: number; awaitingRetrieval?: boolean; resumable?: boolean }>): Promise<void> {
    if (us.length === 0) return;
    await m.query(
      `UPDATE request r SET disposition = u.disposition, disposition_message = u.message,
         decided_by = u.decided_by::jsonb, template = u.template,
         cert_subject = CASE WHEN u.has_cert THEN u.cert_subject::jsonb ELSE r.cert_subject END,
         cert_not_before = CASE WHEN u.has_cert THEN u.nb ELSE r.cert_not_before END,
         cert_not_after = CASE WHEN u.has_cert THEN u.na ELSE r.cert_not_after END,
         resolved_at = CASE WHEN u.resolved THEN now() ELSE r.resolved_at END,
         awaiting_retrieval = r.awaiting_retrieval OR u.awaiting,
         resumable = u.resumable,
         version = r.version + 1
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::boolean[], $11::boolean[], $12::boolean[])
         AS u(id, disposition, message, decided_by, template, has_cert, cert_subject, nb, na, resolved, awaiting, resumable)
       WHERE r.id = u.id`,
      [
        us.map((u) => u.id),
        us.map((u) => u.disposition),
        us.map((u) => u.message.slice(0, 4096)),
        us.map((u) => (u.decidedBy ? JSON.stringify(u.decidedBy) : null)),
        us.map((u) => u.template ?? null),
        us.map((u) => u.certSubject !== undefined),
        us.map((u) => (u.certSubject ? JSON.stringify(u.certSubject) : null)),
        us.map((u) => u.certNotBefore ?? null),
        us.map((u) => u.certNotAfter ?? null),
        us.map((u) => u.resolved ?? false),
        us.map((u) => u.awaitingRetrieval ?? false),
        us.map((u) => u.resumable ?? false),
      ],
    );
  }

  /**
   * Claims a request its submitter's retry may carry on with (parked because
   * its processing was interrupted, ADR 0037): pending and resumable →
   * in process, with a fresh lease, under the row lock. Of any number of
   * concurrent retries exactly one gets true.
   */
  async claimResumable(m: EntityManager, caName: string, id: number, leaseMs: number): Promise<boolean> {
    const t = transition(Disposition.Pending, RequestAction.Resume);
    if (!t.ok) throw new Error(t.reason);
    const rows = await m.query(
      `WITH claimed AS (
         UPDATE request SET disposition = $3, resumable = false, disposition_message = '', lease_until = now() + make_interval(secs => $4::double precision / 1000), version = version + 1
         WHERE ca_name = $1 AND id = $2 AND disposition = 'pending' AND resumable RETURNING id)
       SELECT id FROM claimed`,
      [caName, id, t.to, leaseMs],
    );
    return rows.length === 1;
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
    await this.writeExtensionsMany(
      m,
      exts.filter((e) => origins.includes(e.origin)).map((e) => ({ ...e, requestId: id })),
    );
  }

  /** Replaces the policy's extensions of several requests: one DELETE and one INSERT. */
  async replacePolicyExtensionsMany(m: EntityManager, ids: number[], exts: Array<DraftExtension & { requestId: number }>): Promise<void> {
    if (ids.length === 0) return;
    await m.query(`DELETE FROM request_extension WHERE request_id = ANY($1::bigint[]) AND origin = 'policy'`, [ids]);
    await this.writeExtensionsMany(m, exts.filter((e) => e.origin === 'policy'));
  }

  /** Extensions of several requests in one statement; of two with the same request, origin and OID the later wins, as one by one. */
  private async writeExtensionsMany(m: EntityManager, exts: Array<DraftExtension & { requestId: number }>): Promise<void> {
    const last = new Map<string, DraftExtension & { requestId: number }>();
    for (const e of exts) last.set(`${e.requestId} ${e.origin} ${e.oid}`, e);
    const rows = [...last.values()];
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO request_extension (request_id, oid, origin, critical, disabled, value)
       SELECT e.id, e.oid, e.origin, e.critical, e.disabled, e.value FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::bytea[]) AS e(id, oid, origin, critical, disabled, value)
       ON CONFLICT (request_id, origin, oid) DO UPDATE SET critical = EXCLUDED.critical, disabled = EXCLUDED.disabled, value = EXCLUDED.value`,
      [rows.map((e) => e.requestId), rows.map((e) => e.oid), rows.map((e) => e.origin), rows.map((e) => e.critical), rows.map((e) => e.disabled), rows.map((e) => e.value)],
    );
  }

  /** The request a serial is reserved for, if any. */
  async serialHolder(m: EntityManager, caName: string, serial: string): Promise<number | undefined> {
    const rows = await m.query(`SELECT request_id FROM serial_reservation WHERE ca_name = $1 AND serial = $2`, [caName, serial]);
    return rows[0] ? Number(rows[0].request_id) : undefined;
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

  /** Several certificates in one statement. */
  async insertCertificates(
    m: EntityManager,
    cs: Array<{ caName: string; serial: string; requestId: number; der: Buffer; sha256: string; subject: string; template: string | null; notBefore: Date; notAfter: Date }>,
  ): Promise<void> {
    if (cs.length === 0) return;
    await m.query(
      `INSERT INTO certificate (ca_name, serial, request_id, der, sha256, subject, template, not_before, not_after)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])`,
      [cs.map((c) => c.caName), cs.map((c) => c.serial), cs.map((c) => c.requestId), cs.map((c) => c.der), cs.map((c) => c.sha256), cs.map((c) => c.subject), cs.map((c) => c.template), cs.map((c) => c.notBefore), cs.map((c) => c.notAfter)],
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
           UPDATE request r SET disposition = $4, disposition_message = 'processing was interrupted; resubmit to continue', lease_until = NULL, resumable = true, version = version + 1
           FROM taken WHERE r.id = taken.id RETURNING r.id)
         SELECT id FROM parked`,
        [caName, leaseMs, limit, t.to],
      );
      const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      await this.audit.appendMany(m, caName, ids.map((id) => ({ actor: 'ca', action: 'request.park', requestId: id, before: Disposition.InProcess, after: t.to })));
      return ids;
    });
  }
}
