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

  /** Whether a one-time credential made a request on this CA (for issuers of such credentials). */
  async isUsed(ca: string, oneTime: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM one_time_credential WHERE ca_name = $1 AND one_time = $2`, [ca, oneTime]);
    return rows.length > 0;
  }
}
