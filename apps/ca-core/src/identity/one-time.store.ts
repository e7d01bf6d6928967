import { Injectable } from '@nestjs/common';
import { ErrorCode, SignetError, type Identity } from '@signet/contracts';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * One-time credentials (ADR 0026): an identity whose credential may make
 * one request only (`identity.oneTime`: an enrollment token's jti, an
 * enrollment secret's id) is recorded with the request it made, in the
 * submit's transaction. The key is exactly `identity.oneTime`, unique per CA.
 */
@Injectable()
export class OneTimeCredentialStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records the identity's one-time credential for `requestId`, inside the
   * submit's transaction; CREDENTIAL_REPLAYED when it made a request
   * before, so the caller's transaction rolls back and nothing is stored.
   * A concurrent submit with the same one waits on the key and then
   * finds it taken.
   */
  async record(m: EntityManager, ca: string, identity: Identity, requestId: number): Promise<void> {
    if (identity.oneTime === undefined) return;
    const rows: unknown[] = await m.query(
      `INSERT INTO one_time_credential (ca_name, one_time, request_id, method, principal) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (ca_name, one_time) DO NOTHING RETURNING request_id`,
      [ca, identity.oneTime, requestId, identity.method, identity.principal],
    );
    if (rows.length === 0) {
      throw new SignetError(ErrorCode.CredentialReplayed, 'this one-time credential has been used for a request already', { method: identity.method });
    }
  }

  /**
   * `record` for a batch of submits, in one statement: the indexes (into
   * `items`) whose credential made a request before, or earlier in this
   * batch. The caller refuses those and writes the batch again without them.
   */
  async recordMany(m: EntityManager, ca: string, items: Array<{ identity: Identity; requestId: number }>): Promise<number[]> {
    const want = items.map((x, i) => ({ ...x, i })).filter((x) => x.identity.oneTime !== undefined);
    if (want.length === 0) return [];
    const rows: Array<{ request_id: string }> = await m.query(
      `INSERT INTO one_time_credential (ca_name, one_time, request_id, method, principal)
       SELECT $1, c.one_time, c.request_id, c.method, c.principal FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[]) AS c(one_time, request_id, method, principal)
       ON CONFLICT (ca_name, one_time) DO NOTHING RETURNING request_id`,
      [ca, want.map((x) => x.identity.oneTime), want.map((x) => x.requestId), want.map((x) => x.identity.method), want.map((x) => x.identity.principal)],
    );
    const recorded = new Set(rows.map((r) => Number(r.request_id)));
    return want.filter((x) => !recorded.has(x.requestId)).map((x) => x.i);
  }

  /** Whether a one-time credential made a request on this CA (for issuers of such credentials). */
  async isUsed(ca: string, oneTime: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM one_time_credential WHERE ca_name = $1 AND one_time = $2`, [ca, oneTime]);
    return rows.length > 0;
  }
}
