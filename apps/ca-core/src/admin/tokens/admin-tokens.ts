import { AdminTokenRevoked, ErrorCode, ROLES, SignetError, type AdminTokenRevokedNotice as RevokedNotice, type AuthenticateReply, type Role } from '@signet/contracts';
import { createHash, randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type AuditStore } from '../../audit/audit.store';
import { OutboxStore } from '../../outbox/outbox.store';

/**
 * Admin bearer tokens. The token is `sgt_` + 32 random octets (base64url);
 * only its SHA-256 (hex, over the whole token string) is stored, so the
 * database never holds a usable credential. admin-api hashes the bearer
 * token it receives and asks ca-core who it belongs to.
 */
export const TOKEN_PREFIX = 'sgt_';
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Roles deduplicated, in the contracts' order. */
export function normalizeRoles(roles: readonly string[]): Role[] {
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new SignetError(ErrorCode.BadMessage, `unknown role(s): ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  if (roles.length === 0) throw new SignetError(ErrorCode.BadMessage, 'at least one role is required');
  return ROLES.filter((r) => roles.includes(r));
}

export interface TokenRecord {
  name: string;
  roles: Role[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * The admin_token table of one CA. A plain class (not only a Nest
 * provider) because the bootstrap command uses it without the service.
 *
 * Revocation (ADR 0024) raises the CA's revocation epoch and writes a
 * notice (`AdminTokenRevoked`) to the outbox in the same transaction, so
 * it is announced after the commit whoever revoked: ca-core's relay also
 * publishes the rows the bootstrap command wrote.
 */
export class AdminTokens {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditStore,
    private readonly caName: string,
    private readonly outbox: OutboxStore = new OutboxStore(),
  ) {}

  /** Creates a token and returns it once. A name stays taken after revocation, so audit entries stay unambiguous. */
  async create(createdBy: string, name: string, roles: readonly string[]): Promise<{ name: string; roles: Role[]; token: string }> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new SignetError(ErrorCode.BadMessage, 'token name: 1–128 characters of A-Z a-z 0-9 . _ @ -');
    const normalized = normalizeRoles(roles);
    const token = newToken();
    await this.ds.transaction(async (m) => {
      const rows = await m.query(
        `INSERT INTO admin_token (ca_name, name, token_sha256, roles, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (ca_name, name) DO NOTHING RETURNING id`,
        [this.caName, name, tokenSha256(token), normalized, createdBy],
      );
      if (rows.length === 0) throw new SignetError(ErrorCode.WrongState, `an admin token named "${name}" already exists for CA ${this.caName}`, { name });
      await this.audit.append(m, this.caName, { actor: createdBy, action: 'admin-token.create', details: { name, roles: normalized } });
    });
    return { name, roles: normalized, token };
  }

  /**
   * Who holds this token, and the revocation epoch read in the same
   * snapshot (a token valid here was not revoked by any revocation counted
   * in it). UNAUTHORIZED when unknown; a revoked token is told apart
   * (`details.reason: revoked_token`), which only someone presenting it learns.
   */
  async authenticate(sha256Hex: string): Promise<AuthenticateReply> {
    const rows = await this.ds.query(
      `SELECT t.name, t.roles, t.revoked_at, (SELECT e.epoch FROM admin_token_epoch e WHERE e.ca_name = $1) AS epoch
         FROM admin_token t WHERE t.ca_name = $1 AND t.token_sha256 = $2`,
      [this.caName, sha256Hex],
    );
    if (rows.length === 0) throw new SignetError(ErrorCode.Unauthorized, 'unknown admin token', { reason: 'invalid_token' });
    if (rows[0].revoked_at) throw new SignetError(ErrorCode.Unauthorized, 'this admin token has been revoked', { reason: 'revoked_token' });
    return { name: rows[0].name, roles: normalizeRoles(rows[0].roles), epoch: Number(rows[0].epoch ?? 0) };
  }

  /** Revokes at once: raises the epoch and queues the notice in the same transaction. */
  async revoke(revokedBy: string, name: string): Promise<{ name: string; revokedAt: string; epoch: number; notice: RevokedNotice }> {
    return this.ds.transaction(async (m) => {
      const rows: { revoked_at: Date }[] = await m.query(
        `WITH revoked AS (UPDATE admin_token SET revoked_at = now() WHERE ca_name = $1 AND name = $2 AND revoked_at IS NULL RETURNING revoked_at) SELECT revoked_at FROM revoked`,
        [this.caName, name],
      );
      if (rows.length === 0) throw new SignetError(ErrorCode.NotFound, `no active admin token named "${name}" for CA ${this.caName}`, { name });
      // The row lock orders concurrent revocations: each gets its own epoch.
      const [{ epoch }] = await m.query(
        `INSERT INTO admin_token_epoch (ca_name, epoch) VALUES ($1, 1)
         ON CONFLICT (ca_name) DO UPDATE SET epoch = admin_token_epoch.epoch + 1 RETURNING epoch`,
        [this.caName],
      );
      await this.audit.append(m, this.caName, { actor: revokedBy, action: 'admin-token.revoke', details: { name } });
      const notice = await this.outbox.enqueueMessage(m, AdminTokenRevoked.subject(this.caName), (id, occurredAt) => ({ id, ca: this.caName, occurredAt, name, epoch: Number(epoch) }));
      return { name, revokedAt: rows[0].revoked_at.toISOString(), epoch: Number(epoch), notice };
    });
  }

  async list(): Promise<TokenRecord[]> {
    const rows = await this.ds.query(`SELECT name, roles, created_by, created_at, revoked_at FROM admin_token WHERE ca_name = $1 ORDER BY name`, [this.caName]);
    return rows.map((r: Record<string, unknown>) => ({
      name: r.name as string,
      roles: r.roles as Role[],
      createdBy: r.created_by as string,
      createdAt: (r.created_at as Date).toISOString(),
      revokedAt: r.revoked_at ? (r.revoked_at as Date).toISOString() : null,
    }));
  }
}
