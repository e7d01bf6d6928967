import { randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { type JWK } from 'jose';
import { AcmeProblem, type ProblemDocument } from './problem';
import { orderStatusFrom, type AuthzStatus } from './status';
import { account, authz, challenge, changed, newId, order, type AccountRow, type AuthzRow, type ChallengeRow, type Identifier, type NewAuthz, type OrderRow, type WindowCount } from './acme.rows';

export type { AccountRow, AuthzRow, ChallengeRow, Identifier, NewAuthz, OrderRow, WindowCount } from './acme.rows';
export { newId } from './acme.rows';

/**
 * The ACME state in PostgreSQL (schema `acme`). Every replica of the
 * intermediary uses the same rows, so every decision that two replicas
 * could take at once is a conditional UPDATE (a state transition) or a
 * DELETE of a single-use row: whoever changes the row won.
 */
export class AcmeStore {
  constructor(private readonly ds: DataSource) {}

  // --- nonces (RFC 8555 6.5) ---

  async issueNonce(ttlSeconds: number): Promise<string> {
    const value = newId();
    await this.ds.query(`INSERT INTO acme.nonces (value, expires_at) VALUES ($1, now() + make_interval(secs => $2))`, [value, ttlSeconds]);
    // A sweep now and then keeps the table to the nonces still usable; any replica may do it.
    if (Math.random() < 0.01) await this.ds.query(`DELETE FROM acme.nonces WHERE expires_at < now()`);
    return value;
  }

  /** True once per nonce, on whichever replica asks first, and only before it expires. */
  async consumeNonce(value: string): Promise<boolean> {
    const rows = await changed(this.ds, `DELETE FROM acme.nonces WHERE value = $1 RETURNING expires_at > now() AS fresh`, [value]);
    return rows[0]?.fresh === true;
  }

  // --- external account keys (RFC 8555 7.3.4) ---

  /** A new key for the operator to hand out: its id and the MAC key (base64url), which is shown once. */
  async createEabKey(): Promise<{ kid: string; hmacKey: string }> {
    const kid = `eab_${randomBytes(12).toString('base64url')}`;
    const key = randomBytes(32);
    await this.ds.query(`INSERT INTO acme.eab_keys (kid, hmac_key) VALUES ($1, $2)`, [kid, key]);
    return { kid, hmacKey: key.toString('base64url') };
  }

  /** The MAC key of an unbound kid. */
  async unboundEabKey(kid: string): Promise<Uint8Array | undefined> {
    const rows = await this.ds.query(`SELECT hmac_key FROM acme.eab_keys WHERE kid = $1 AND account_id IS NULL`, [kid]);
    return rows[0] ? new Uint8Array(rows[0].hmac_key) : undefined;
  }

  // --- accounts ---

  async accountById(id: string): Promise<AccountRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.accounts WHERE id = $1`, [id]);
    return rows[0] ? account(rows[0]) : undefined;
  }

  async accountByThumbprint(tp: string): Promise<AccountRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.accounts WHERE thumbprint = $1`, [tp]);
    return rows[0] ? account(rows[0]) : undefined;
  }

  /**
   * A new account, bound to `eabKid` in the same transaction (a key binds
   * once). Two newAccount requests with one key race on the unique
   * thumbprint: the loser gets the winner's account.
   */
  async createAccount(a: { jwk: JWK; thumbprint: string; contact: string[]; tosAgreed: boolean; eabKid?: string }): Promise<{ account: AccountRow; created: boolean }> {
    const id = newId();
    try {
      return await this.ds.transaction(async (tx) => {
        if (a.eabKid) {
          const bound = await tx.query(`UPDATE acme.eab_keys SET account_id = $2, bound_at = now() WHERE kid = $1 AND account_id IS NULL`, [a.eabKid, id]);
          if (bound[1] !== 1) throw new AcmeProblem('unauthorized', 'externalAccountBinding: the key id is unknown or already bound to an account');
        }
        const rows = await tx.query(`INSERT INTO acme.accounts (id, jwk, thumbprint, status, contact, tos_agreed, eab_kid) VALUES ($1, $2, $3, 'valid', $4, $5, $6) RETURNING *`, [
          id,
          JSON.stringify(a.jwk),
          a.thumbprint,
          JSON.stringify(a.contact),
          a.tosAgreed,
          a.eabKid ?? null,
        ]);
        return { account: account(rows[0]), created: true };
      });
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') {
        const existing = await this.accountByThumbprint(a.thumbprint);
        if (existing) return { account: existing, created: false };
      }
      throw e;
    }
  }

  async updateAccount(id: string, change: { contact?: string[]; status?: 'deactivated' }): Promise<AccountRow> {
    const rows = await changed(
      this.ds,
      `UPDATE acme.accounts SET contact = COALESCE($2, contact), status = COALESCE($3, status) WHERE id = $1 AND status = 'valid' RETURNING *`,
      [id, change.contact ? JSON.stringify(change.contact) : null, change.status ?? null],
    );
    const row = rows[0];
    if (!row) throw new AcmeProblem('unauthorized', 'the account is not valid');
    return account(row);
  }

  /** Key rollover: the account's key changes unless another account holds the new one. */
  async changeKey(id: string, jwk: JWK, tp: string): Promise<AccountRow> {
    try {
      const rows = await changed(this.ds, `UPDATE acme.accounts SET jwk = $2, thumbprint = $3 WHERE id = $1 AND status = 'valid' RETURNING *`, [id, JSON.stringify(jwk), tp]);
      const row = rows[0];
      if (!row) throw new AcmeProblem('unauthorized', 'the account is not valid');
      return account(row);
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') throw new AcmeProblem('malformed', 'another account already uses the new key', { status: 409 });
      throw e;
    }
  }

  // --- orders, authorisations, challenges ---

  async createOrder(o: {
    accountId: string;
    profile: string;
    template: string;
    identifiers: Identifier[];
    expiresAt: Date;
    notBefore?: Date;
    notAfter?: Date;
    replaces?: string;
    clientIp: string | null;
    authorizations: NewAuthz[];
  }): Promise<OrderRow> {
    try {
      return await this.insertOrder(o);
    } catch (e) {
      if ((e as { driverError?: { code?: string; constraint?: string } }).driverError?.constraint === 'orders_replaces') {
        throw new AcmeProblem('alreadyReplaced', 'another order already replaces this certificate');
      }
      throw e;
    }
  }

  private insertOrder(o: Parameters<AcmeStore['createOrder']>[0]): Promise<OrderRow> {
    return this.ds.transaction(async (tx) => {
      const id = newId();
      const rows = await tx.query(
        `INSERT INTO acme.orders (id, account_id, status, profile, template, identifiers, expires_at, not_before, not_after, replaces, client_ip) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [id, o.accountId, o.profile, o.template, JSON.stringify(o.identifiers), o.expiresAt, o.notBefore ?? null, o.notAfter ?? null, o.replaces ?? null, o.clientIp],
      );
      for (const a of o.authorizations) {
        const authzId = newId();
        await tx.query(`INSERT INTO acme.authorizations (id, order_id, account_id, identifier_type, identifier_value, wildcard, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)`, [
          authzId,
          id,
          o.accountId,
          a.identifier.type,
          a.identifier.value,
          a.wildcard,
          o.expiresAt,
        ]);
        for (const type of a.challenges) {
          await tx.query(`INSERT INTO acme.challenges (id, authorization_id, type, token, status) VALUES ($1, $2, $3, $4, 'pending')`, [newId(), authzId, type, newId()]);
        }
      }
      return order(rows[0]);
    });
  }

  async order(id: string): Promise<OrderRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.orders WHERE id = $1`, [id]);
    return rows[0] ? order(rows[0]) : undefined;
  }

  async ordersOf(accountId: string, limit: number): Promise<OrderRow[]> {
    const rows = await this.ds.query(`SELECT * FROM acme.orders WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2`, [accountId, limit]);
    return rows.map(order);
  }

  async authzsOfOrder(orderId: string): Promise<AuthzRow[]> {
    const rows = await this.ds.query(`SELECT * FROM acme.authorizations WHERE order_id = $1 ORDER BY identifier_type, identifier_value`, [orderId]);
    return rows.map(authz);
  }

  async authz(id: string): Promise<AuthzRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.authorizations WHERE id = $1`, [id]);
    return rows[0] ? authz(rows[0]) : undefined;
  }

  async challengesOf(authzId: string): Promise<ChallengeRow[]> {
    const rows = await this.ds.query(`SELECT * FROM acme.challenges WHERE authorization_id = $1 ORDER BY type`, [authzId]);
    return rows.map(challenge);
  }

  async challenge(id: string): Promise<ChallengeRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.challenges WHERE id = $1`, [id]);
    return rows[0] ? challenge(rows[0]) : undefined;
  }

  /**
   * pending → processing, for one replica only: the one that gets the row
   * runs the validation. A validation still processing after
   * `staleSeconds` was left by a replica that died or hung: it may be
   * started again (whichever run finishes first records the outcome).
   */
  async startChallenge(id: string, clientIp: string | null, staleSeconds: number): Promise<ChallengeRow | undefined> {
    const rows = await changed(
      this.ds,
      `UPDATE acme.challenges c SET status = 'processing', requested_from = $2, started_at = now() FROM acme.authorizations a
        WHERE c.id = $1 AND (c.status = 'pending' OR (c.status = 'processing' AND c.started_at < now() - make_interval(secs => $3)))
          AND a.id = c.authorization_id AND a.status = 'pending' AND a.expires_at > now() RETURNING c.*`,
      [id, clientIp, staleSeconds],
    );
    const row = rows[0];
    return row ? challenge(row) : undefined;
  }

  /**
   * A validation's outcome, in one transaction: the challenge, its
   * authorisation (valid or invalid; the other challenges stay as they are),
   * and the order the authorisation belongs to (ready when every
   * authorisation is valid, invalid when one is not).
   */
  async finishChallenge(id: string, outcome: { ok: true } | { ok: false; error: ProblemDocument }): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const rows = await changed(
        tx,
        `UPDATE acme.challenges SET status = $2, validated_at = CASE WHEN $2 = 'valid' THEN now() END, failed_at = CASE WHEN $2 = 'invalid' THEN now() END, error = $3 WHERE id = $1 AND status = 'processing' RETURNING authorization_id`,
        [id, outcome.ok ? 'valid' : 'invalid', outcome.ok ? null : JSON.stringify(outcome.error)],
      );
      const row = rows[0];
      if (!row) return;
      const a = await changed(tx, `UPDATE acme.authorizations SET status = $2 WHERE id = $1 AND status = 'pending' RETURNING order_id`, [row.authorization_id, outcome.ok ? 'valid' : 'invalid']);
      const orderId = a[0]?.order_id;
      if (orderId) await this.settleOrder(tx, orderId);
    });
  }

  /** Client-initiated deactivation (RFC 8555 7.5.2): pending or valid → deactivated; the order cannot complete any more. */
  async deactivateAuthz(id: string): Promise<AuthzRow | undefined> {
    return this.ds.transaction(async (tx) => {
      const rows = await changed(tx, `UPDATE acme.authorizations SET status = 'deactivated' WHERE id = $1 AND status IN ('pending', 'valid') RETURNING *`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      await this.settleOrder(tx, row.order_id);
      return authz(row);
    });
  }

  /** A pending order follows its authorisations (under the order's row lock). */
  private async settleOrder(tx: EntityManager, orderId: string): Promise<void> {
    const o = await tx.query(`SELECT status FROM acme.orders WHERE id = $1 FOR UPDATE`, [orderId]);
    if (o[0]?.status !== 'pending') return;
    const statuses = (await tx.query(`SELECT status FROM acme.authorizations WHERE order_id = $1`, [orderId])).map((r: { status: AuthzStatus }) => r.status);
    const next = orderStatusFrom(statuses);
    if (next === 'pending') return;
    const error = next === 'invalid' ? JSON.stringify({ type: 'urn:ietf:params:acme:error:unauthorized', detail: 'an authorization of this order is not valid' }) : null;
    await tx.query(`UPDATE acme.orders SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [orderId, next, error]);
  }

  /** ready → processing: true for exactly one finalize of the order, however many replicas receive one. */
  async beginFinalize(orderId: string, ca: string): Promise<boolean> {
    const rows = await changed(this.ds, `UPDATE acme.orders SET status = 'processing', ca = $2, updated_at = now() WHERE id = $1 AND status = 'ready' RETURNING id`, [orderId, ca]);
    return rows.length === 1;
  }

  /** The CA's answer to a processing order: it stays processing (pending at the CA), or ends valid or invalid. */
  async recordOutcome(
    orderId: string,
    o: { status: 'processing' | 'valid' | 'invalid' | 'ready'; requestId?: number; retrievalSecret?: string; certificate?: string; serial?: string; error?: ProblemDocument },
  ): Promise<void> {
    await this.ds.query(
      `UPDATE acme.orders SET status = $2, request_id = COALESCE($3, request_id), retrieval_secret = COALESCE($4, retrieval_secret),
         certificate = COALESCE($5, certificate), serial = COALESCE($6, serial), error = $7, updated_at = now()
       WHERE id = $1 AND status = 'processing'`,
      [orderId, o.status, o.requestId ?? null, o.retrievalSecret ?? null, o.certificate ?? null, o.serial ?? null, o.error ? JSON.stringify(o.error) : null],
    );
  }

  /** Pending or ready orders past their expiry end invalid (RFC 8555 7.1.6). */
  async expireOrder(orderId: string): Promise<void> {
    await this.ds.query(
      `UPDATE acme.orders SET status = 'invalid', error = $2, updated_at = now() WHERE id = $1 AND status IN ('pending', 'ready') AND expires_at <= now()`,
      [orderId, JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired' })],
    );
  }

  // --- rate limits (ADR 0035): counts in a sliding window, and when the oldest counted event leaves it ---

  /** Orders created in the window by an account, or from a client address. */
  recentOrders(by: { accountId: string } | { clientIp: string }, windowSeconds: number): Promise<WindowCount> {
    const [col, value] = 'accountId' in by ? ['account_id', by.accountId] : ['client_ip', by.clientIp];
    return this.windowCount(`SELECT count(*)::int AS n, min(created_at) AS oldest FROM acme.orders WHERE ${col} = $1 AND created_at > now() - make_interval(secs => $2)`, [value, windowSeconds], windowSeconds);
  }

  /** Validations that failed in the window, of an account's authorisations or started from a client address. */
  recentFailedValidations(by: { accountId: string } | { clientIp: string }, windowSeconds: number): Promise<WindowCount> {
    const where = 'accountId' in by ? 'a.account_id = $1' : 'c.requested_from = $1';
    return this.windowCount(
      `SELECT count(*)::int AS n, min(c.failed_at) AS oldest FROM acme.challenges c JOIN acme.authorizations a ON a.id = c.authorization_id
        WHERE ${where} AND c.failed_at > now() - make_interval(secs => $2)`,
      ['accountId' in by ? by.accountId : by.clientIp, windowSeconds],
      windowSeconds,
    );
  }

  /** Authorisations still pending (not expired), of an account or of orders from a client address. */
  async pendingAuthzs(by: { accountId: string } | { clientIp: string }): Promise<number> {
    const rows =
      'accountId' in by
        ? await this.ds.query(`SELECT count(*)::int AS n FROM acme.authorizations WHERE account_id = $1 AND status = 'pending' AND expires_at > now()`, [by.accountId])
        : await this.ds.query(
            `SELECT count(*)::int AS n FROM acme.authorizations a JOIN acme.orders o ON o.id = a.order_id WHERE o.client_ip = $1 AND a.status = 'pending' AND a.expires_at > now()`,
            [by.clientIp],
          );
    return rows[0].n;
  }

  private async windowCount(sql: string, params: unknown[], windowSeconds: number): Promise<WindowCount> {
    const [row] = await this.ds.query(sql, params);
    const oldest = row.oldest as Date | null;
    const retryAfterSeconds = oldest ? Math.max(1, Math.ceil((oldest.getTime() + windowSeconds * 1000 - Date.now()) / 1000)) : 1;
    return { count: row.n, retryAfterSeconds };
  }

  /**
   * Whether the account holds a valid, unexpired authorisation for every one
   * of `names` (RFC 8555 7.6): a wildcard name's is the authorisation of its
   * base name marked wildcard.
   */
  async holdsAuthorizations(accountId: string, names: Identifier[]): Promise<boolean> {
    const wanted = names.map((n) => ({ type: n.type, value: n.value.replace(/^\*\./, ''), wildcard: n.value.startsWith('*.') }));
    const rows: { type: string; value: string; wildcard: boolean }[] = await this.ds.query(
      `SELECT DISTINCT identifier_type AS type, identifier_value AS value, wildcard FROM acme.authorizations
        WHERE account_id = $1 AND status = 'valid' AND expires_at > now() AND identifier_value = ANY($2)`,
      [accountId, wanted.map((w) => w.value)],
    );
    const held = new Set(rows.map((r) => `${r.type}:${r.value}:${r.wildcard}`));
    return wanted.length > 0 && wanted.every((w) => held.has(`${w.type}:${w.value}:${w.wildcard}`));
  }

  async orderBySerial(serial: string): Promise<OrderRow | undefined> {
    const rows = await this.ds.query(`SELECT * FROM acme.orders WHERE serial = $1 AND status = 'valid' LIMIT 1`, [serial.toLowerCase()]);
    return rows[0] ? order(rows[0]) : undefined;
  }
}
