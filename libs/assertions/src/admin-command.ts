import { AdminAssertion, ErrorCode, SignetError, type Actor } from '@signet/contracts';
import { verifyAdminAssertion, type VerifiedAdminAssertion } from './admin-assertion';
import { AssertionError, type VerifyKeys } from './assertions';

/**
 * The receiving side of an admin assertion (ADR 0028), shared by every
 * service that believes an administrator only from admin-api's signature
 * (ca-core on `ca.<ca>.admin.>`, exit-service on `exit.<ca>.deadletters.>`):
 * verify the header against the command and the body bytes as received,
 * accept each assertion once, and turn every refusal into one typed
 * UNAUTHORIZED whose `details.reason` says why. Each service brings its
 * audience, its keys and where it remembers the ids it accepted.
 */

/** What a receiver needs of a bus message (`BusContext` from `@signet/bus` has it). */
export interface AdminMessage {
  readonly subject: string;
  /** The command's logical name the server routed the message to. */
  readonly command: string;
  /** The body bytes exactly as received. */
  readonly body: Uint8Array;
  header(name: string): string | undefined;
}

export interface AdminCommandCheckOptions {
  ca: string;
  /** `AdminAssertion.audience(ca)` for ca-core, `AdminAssertion.exitAudience(ca)` for exit-service. */
  audience: string;
  /** admin-api's public keys; none: every command is refused (`unknown-key`). */
  keys: VerifyKeys | undefined;
  /** Records an accepted assertion's id until it expires; false when it was recorded before (a replay). */
  firstUse: (jti: string, expiresAt: Date) => boolean | Promise<boolean>;
  /** Where a refusal is logged (never with the assertion). */
  warn: (message: string) => void;
}

export class AdminCommandCheck {
  constructor(private readonly o: AdminCommandCheckOptions) {}

  /** The verified actor of this admin command; UNAUTHORIZED otherwise. */
  async actor(msg: AdminMessage): Promise<Actor> {
    const v = await this.verify(msg);
    if (!v.actor) throw this.refuse(msg, 'bad-claims', 'the admin assertion names no actor');
    await this.useOnce(msg, v);
    return v.actor;
  }

  /** A command admin-api sends before it knows who the caller is (`ca.admin.authenticate`): the assertion names no actor. */
  async actorless(msg: AdminMessage): Promise<void> {
    const v = await this.verify(msg);
    if (v.actor) throw this.refuse(msg, 'bad-claims', 'an authentication assertion names no actor');
    await this.useOnce(msg, v);
  }

  private async verify(msg: AdminMessage): Promise<VerifiedAdminAssertion> {
    if (!this.o.keys) throw this.refuse(msg, 'unknown-key', 'this service trusts no admin-api key (SIGNET_ADMIN_ASSERTION_KEYS is not set)');
    try {
      return await verifyAdminAssertion(this.o.keys, msg.header(AdminAssertion.header), { ca: this.o.ca, audience: this.o.audience, command: msg.command, body: msg.body });
    } catch (e) {
      if (e instanceof AssertionError) throw this.refuse(msg, e.reason, e.message);
      throw e;
    }
  }

  private async useOnce(msg: AdminMessage, v: VerifiedAdminAssertion): Promise<void> {
    if (!(await this.o.firstUse(v.jti, v.expiresAt))) throw this.refuse(msg, 'replayed', 'this admin assertion was already used');
  }

  private refuse(msg: AdminMessage, reason: string, message: string): SignetError {
    this.o.warn(`refused ${msg.command || msg.subject}: ${message} (${reason})`);
    return new SignetError(ErrorCode.Unauthorized, `admin command refused: ${message}`, { reason });
  }
}

/**
 * The ids of accepted assertions, in this process's memory, each kept until
 * its assertion expired a minute ago (beyond any clock tolerance; by then a
 * copy is refused as expired anyway), so the set is bounded by what
 * arrives in about 90 s. Replicas do not share it: a copy sent to another
 * replica within the assertion's 30 s is not caught here (ca-core keeps
 * its ids in the database for that reason).
 */
export class UsedAssertionIds {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  firstUse(jti: string, expiresAt: Date): boolean {
    const now = this.now();
    for (const [id, t] of this.until) if (t + 60_000 < now) this.until.delete(id);
    if (this.until.has(jti)) return false;
    this.until.set(jti, expiresAt.getTime());
    return true;
  }

  get size(): number {
    return this.until.size;
  }
}
