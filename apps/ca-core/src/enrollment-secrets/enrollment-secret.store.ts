import { Inject, Injectable } from '@nestjs/common';
import {
  ENROLLMENT_SECRET_REFUSED,
  enrollmentSecretIdOfOneTime,
  enrollmentSecretOneTime,
  ErrorCode,
  SignetError,
  type CreateEnrollmentSecretSchema,
  type EnrollmentSecretBinding,
  type EnrollmentSecretRecord,
  type ProvenName,
} from '@signet/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { type z } from 'zod';
import { AuditStore } from '../audit/audit.store';
import { Clock } from '../clock';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { credentialSha256, newEnrollmentSecret, secretHolds, stateOf } from './enrollment-secret';

export type CreateInput = Omit<z.output<typeof CreateEnrollmentSecretSchema>, 'actor'>;

interface Row {
  id: string;
  secret_sha256: string;
  names: ProvenName[];
  subject: { type: string; value: string }[] | null;
  template: string;
  groups: string[];
  note: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by_request_id: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** Every column but the hash: nothing that leaves this file carries it. */
const PUBLIC_COLUMNS = 'id, names, subject, template, groups, note, created_by, created_at, expires_at, used_at, used_by_request_id, revoked_at, revoked_by';

/** The one refusal of a check (and of a submit whose secret was spent meanwhile). */
export function refused(): SignetError {
  return new SignetError(ErrorCode.Unauthorized, ENROLLMENT_SECRET_REFUSED.message, { reason: ENROLLMENT_SECRET_REFUSED.reason });
}

/**
 * The enrollment_secret table of this CA (ADR 0032). Times come from the
 * injected clock, so creation, expiry, use and revocation agree with each
 * other and tests move time instead of waiting. Every change is audited in
 * its own transaction; the secret and its hash never reach the audit log,
 * a log line or an answer after creation.
 */
@Injectable()
export class EnrollmentSecretStore {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
    private readonly audit: AuditStore,
    private readonly clock: Clock,
  ) {}

  private get ca(): string {
    return this.config.caName;
  }

  /** Creates one and answers the credential, this once. */
  async create(createdBy: string, input: CreateInput): Promise<EnrollmentSecretRecord & { secret: string }> {
    const names = normalizeNames(input.names);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
    const { id, secret, credential } = newEnrollmentSecret();
    const row = await this.ds.transaction(async (m) => {
      const [r]: Row[] = await m.query(
        `INSERT INTO enrollment_secret (ca_name, id, secret_sha256, names, subject, template, groups, note, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11) RETURNING ${PUBLIC_COLUMNS}`,
        [this.ca, id, credentialSha256(id, secret), JSON.stringify(names), input.subject ? JSON.stringify(input.subject) : null, input.template, input.groups, input.note ?? null, createdBy, now, expiresAt],
      );
      await this.audit.append(m, this.ca, {
        actor: createdBy,
        action: 'enrollment-secret.create',
        details: { id, names, template: input.template, groups: input.groups, expiresAt: expiresAt.toISOString() },
      });
      return r;
    });
    return { ...this.record(row, now), secret: credential };
  }

  /** Newest first; never the secret nor its hash. */
  async list(q: { state?: EnrollmentSecretRecord['state']; limit: number }): Promise<EnrollmentSecretRecord[]> {
    const now = this.clock.now();
    // Every clause names $3, so the statement always takes the same three parameters.
    const where: Record<EnrollmentSecretRecord['state'], string> = {
      active: 'revoked_at IS NULL AND used_at IS NULL AND expires_at > $3',
      used: 'used_at IS NOT NULL AND $3::timestamptz IS NOT NULL',
      revoked: 'revoked_at IS NOT NULL AND $3::timestamptz IS NOT NULL',
      expired: 'revoked_at IS NULL AND used_at IS NULL AND expires_at <= $3',
    };
    const rows: Row[] = await this.ds.query(
      `SELECT ${PUBLIC_COLUMNS} FROM enrollment_secret WHERE ca_name = $1 AND ${q.state ? where[q.state] : '$3::timestamptz IS NOT NULL'}
       ORDER BY created_at DESC, id LIMIT $2`,
      [this.ca, q.limit, now],
    );
    return rows.map((r) => this.record(r, now));
  }

  /** Revokes an unused secret; NOT_FOUND when there is none by that id, WRONG_STATE when it is used or revoked already. */
  async revoke(revokedBy: string, id: string): Promise<EnrollmentSecretRecord> {
    const now = this.clock.now();
    return this.ds.transaction(async (m) => {
      const [r]: Row[] = await m.query(
        `WITH revoked AS (UPDATE enrollment_secret SET revoked_at = $3, revoked_by = $4 WHERE ca_name = $1 AND id = $2 AND revoked_at IS NULL AND used_at IS NULL RETURNING ${PUBLIC_COLUMNS})
         SELECT * FROM revoked`,
        [this.ca, id, now, revokedBy],
      );
      if (!r) {
        const [existing]: Row[] = await m.query(`SELECT ${PUBLIC_COLUMNS} FROM enrollment_secret WHERE ca_name = $1 AND id = $2`, [this.ca, id]);
        if (!existing) throw new SignetError(ErrorCode.NotFound, `no enrollment secret ${id} for CA ${this.ca}`, { id });
        const state = stateOf(this.record(existing, now), now);
        throw new SignetError(ErrorCode.WrongState, `enrollment secret ${id} is ${state} already`, { id, state });
      }
      await this.audit.append(m, this.ca, { actor: revokedBy, action: 'enrollment-secret.revoke', details: { id } });
      return this.record(r, now);
    });
  }

  /**
   * A presented credential → what it binds, or the one refusal (unknown,
   * wrong, expired, revoked, used or malformed alike). Reads only: the
   * secret is spent by the submit that uses it (markUsed). A used secret
   * holds only for a retry naming the idempotency key of the request that
   * spent it (`retryOf`): that submit is answered with the stored request.
   */
  async check(presented: { id: string; secret: string; retryOf?: string }): Promise<EnrollmentSecretBinding> {
    // The key of the request that spent it, for a retry that names its own (CheckEnrollmentSecretSchema.retryOf).
    const rows: (Row & { spent_by_key: string | null })[] = await this.ds.query(
      `SELECT ${PUBLIC_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, s.secret_sha256, q.idempotency_key AS spent_by_key
         FROM enrollment_secret s LEFT JOIN request q ON q.ca_name = s.ca_name AND q.id = s.used_by_request_id
        WHERE s.ca_name = $1 AND s.id = $2`,
      [this.ca, presented.id],
    );
    const r = rows[0];
    const now = this.clock.now();
    const spentByRetried = presented.retryOf !== undefined && r?.spent_by_key === presented.retryOf;
    const holds = secretHolds(presented, r && { secretSha256: r.secret_sha256, expiresAt: r.expires_at, usedAt: r.used_at, revokedAt: r.revoked_at, spentByRetried }, now);
    if (!holds || !r) throw refused();
    return {
      id: r.id,
      names: r.names,
      ...(r.subject ? { subject: r.subject } : {}),
      template: r.template,
      groups: r.groups,
      oneTime: enrollmentSecretOneTime(r.id),
      createdBy: r.created_by,
      expiresAt: r.expires_at.toISOString(),
    };
  }

  /**
   * Spends the secret named by a one-time id, in the transaction of the
   * submit that stores request `requestId` (ADR 0032: integration calls it
   * where the submit records the identity's one-time id). Returns false for
   * a one-time id that is not a secret's. A secret that was used, revoked or
   * expired since the front door checked it refuses the submit with the
   * check's refusal, and the transaction rolls back: the row lock makes two
   * submits with one secret take turns, and the second finds it used.
   */
  async markUsed(m: EntityManager, oneTime: string, requestId: number): Promise<boolean> {
    const id = enrollmentSecretIdOfOneTime(oneTime);
    if (!id) return false;
    const now = this.clock.now();
    const rows: { id: string }[] = await m.query(
      `WITH used AS (UPDATE enrollment_secret SET used_at = $3, used_by_request_id = $4
        WHERE ca_name = $1 AND id = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING id) SELECT id FROM used`,
      [this.ca, id, now, requestId],
    );
    if (rows.length === 0) throw refused();
    await this.audit.append(m, this.ca, { actor: `enrollment-secret:${id}`, action: 'enrollment-secret.use', requestId, details: { id } });
    return true;
  }

  private record(r: Row, now: Date): EnrollmentSecretRecord {
    const rec = {
      id: r.id,
      names: r.names,
      ...(r.subject ? { subject: r.subject } : {}),
      template: r.template,
      groups: r.groups,
      note: r.note,
      createdBy: r.created_by,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      usedAt: r.used_at ? r.used_at.toISOString() : null,
      usedByRequestId: r.used_by_request_id === null ? null : Number(r.used_by_request_id),
      revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
      revokedBy: r.revoked_by,
    };
    return { ...rec, state: stateOf(rec, now) };
  }
}

/** DNS names compare without case: stored lower-case, each name once. */
function normalizeNames(names: readonly ProvenName[]): ProvenName[] {
  const seen = new Set<string>();
  const out: ProvenName[] = [];
  for (const n of names) {
    const value = n.type === 'dns' ? n.value.toLowerCase() : n.value;
    const key = `${n.type}:${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type: n.type, value });
  }
  return out;
}
