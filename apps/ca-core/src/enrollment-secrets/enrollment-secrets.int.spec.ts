import { Commands, ErrorCode, type Actor, type SignetError } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { FixedClock } from '../clock';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';
import { credentialSha256 } from './enrollment-secret';
import { EnrollmentSecretStore } from './enrollment-secret.store';

/*
 * Enrollment secrets on the real bus and database (ADR 0032): an officer
 * creates one and sees it once, the table keeps only its hash, the
 * intermediary's check answers the binding or one refusal for every
 * failure, a submit spends it once, and every change is audited without it.
 */

const officer: Actor = { name: 'olivia', roles: ['officer'] };
const viewer: Actor = { name: 'victor', roles: ['viewer'] };
const auditor: Actor = { name: 'audrey', roles: ['auditor'] };
const caAdmin: Actor = { name: 'adam', roles: ['ca-admin'] };
const DAY = 86_400_000;

describe('enrollment secrets on the real bus and database', () => {
  const w = new ScratchDir();
  const clock = new FixedClock(new Date('2027-03-01T10:00:00Z'));
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('ensec', {}, { clock });
  });
  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  const create = (extra: Record<string, unknown> = {}, actor: Actor = officer) =>
    h.client.call(Commands.adminCreateEnrollmentSecret, h.ca, { actor, names: [{ type: 'dns', value: 'WWW.Example.com' }], template: 'WebServer', ...extra });
  const check = (credential: string) => {
    const at = credential.indexOf(':');
    return h.client.call(Commands.enrollmentSecretCheck, h.ca, { id: credential.slice(0, at), secret: credential.slice(at + 1) });
  };
  const list = (actor: Actor = viewer, state?: 'active' | 'used' | 'expired' | 'revoked') => h.client.call(Commands.adminListEnrollmentSecrets, h.ca, { actor, ...(state ? { state } : {}) });
  const revoke = (id: string, actor: Actor = officer) => h.client.call(Commands.adminRevokeEnrollmentSecret, h.ca, { actor, id });
  const auditEntries = async () => (await h.client.call(Commands.adminAuditList, h.ca, { actor: auditor, limit: 1000 })).entries;
  /** The identity a front door builds from a checked secret (the intermediary's authenticator). */
  const secretIdentity = (id: string) => ({ method: 'enrollment-secret' as const, principal: id, names: [], groups: [], oneTime: `enrollment-secret:${id}`, evidence: { secretId: id } });
  /** Spends a secret as a submit does: the front door's signed identity carries its one-time id, and the submit's transaction marks it used. */
  async function spend(id: string, cn = `${id}.example.test`): Promise<number> {
    const r = await h.submitAs(secretIdentity(id), { request: makeCsr(w, `${id}-${cn}`, `/CN=${cn}`) });
    return r.requestId;
  }
  /** Every text in every table of the database that contains `needle`. */
  async function rowsContaining(needle: string): Promise<string[]> {
    const tables: { table_name: string }[] = await h.ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    const hits: string[] = [];
    for (const { table_name } of tables) {
      const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text LIKE '%' || $1 || '%'`, [needle]);
      if (n > 0) hits.push(table_name);
    }
    return hits;
  }

  it('an officer creates one: the credential is answered once; the database holds only its SHA-256', async () => {
    const c = await create({ groups: ['web'], subject: [{ type: 'CN', value: 'www.example.com' }], note: 'for the new web server', ttlSeconds: 3 * 86_400 });
    expect(c).toEqual({
      id: expect.stringMatching(/^es-[0-9a-f]{16}$/),
      state: 'active',
      names: [{ type: 'dns', value: 'www.example.com' }],
      subject: [{ type: 'CN', value: 'www.example.com' }],
      template: 'WebServer',
      groups: ['web'],
      note: 'for the new web server',
      createdBy: 'olivia',
      createdAt: '2027-03-01T10:00:00.000Z',
      expiresAt: '2027-03-04T10:00:00.000Z',
      usedAt: null,
      usedByRequestId: null,
      revokedAt: null,
      revokedBy: null,
      secret: expect.stringMatching(/^es-[0-9a-f]{16}:[0-9a-f]{64}$/),
    });
    expect(c.secret.startsWith(`${c.id}:`)).toBe(true);
    const secretPart = c.secret.slice(c.id.length + 1);
    // The secret is in no row of any table (audit log and outbox included); the hash is in the secret's row only.
    expect(await rowsContaining(secretPart)).toEqual([]);
    const [row] = await h.ds.query(`SELECT secret_sha256 FROM enrollment_secret WHERE id = $1`, [c.id]);
    expect(row.secret_sha256).toBe(credentialSha256(c.id, secretPart));
    expect(await rowsContaining(row.secret_sha256)).toEqual(['enrollment_secret']);
    // The column takes nothing but a hash.
    await expect(h.ds.query(`UPDATE enrollment_secret SET secret_sha256 = $2 WHERE id = $1`, [c.id, secretPart.slice(0, 40)])).rejects.toThrow(/enrollment_secret_is_hash/);

    // Nobody sees it again: not in the list, not in the audit log.
    const listed = await list();
    expect(listed.secrets.find((s) => s.id === c.id)).toEqual({ ...c, secret: undefined, state: 'active' } as unknown as object);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(secretPart);
    expect(text).not.toContain(row.secret_sha256);
    expect(text).not.toMatch(/sha256|hash/i);
    const created = (await auditEntries()).filter((e) => e.action === 'enrollment-secret.create');
    expect(created).toEqual([expect.objectContaining({ actor: 'olivia', details: { id: c.id, names: c.names, template: 'WebServer', groups: ['web'], expiresAt: c.expiresAt } })]);
  });

  it('the lifetime is 7 days by default and never more than 90', async () => {
    const c = await create();
    expect(new Date(c.expiresAt).getTime() - new Date(c.createdAt).getTime()).toBe(7 * DAY);
    expect(await failure(create({ ttlSeconds: 90 * 86_400 + 1 }))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await failure(create({ ttlSeconds: 59 }))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await failure(create({ names: [] }))).toMatchObject({ code: ErrorCode.BadMessage });
    // A template the policy module does not offer would only be denied: refused at once, naming it.
    expect(await failure(create({ template: 'NoSuchTemplate' }))).toMatchObject({ code: ErrorCode.BadMessage, details: { field: 'template' } });
  });

  it('check answers the binding for the right secret, and one and the same refusal for a wrong, unknown, malformed, expired, revoked or used one', async () => {
    const good = await create({ groups: ['web'] });
    expect(await check(good.secret)).toEqual({
      id: good.id,
      names: [{ type: 'dns', value: 'www.example.com' }],
      template: 'WebServer',
      groups: ['web'],
      oneTime: `enrollment-secret:${good.id}`,
      createdBy: 'olivia',
      expiresAt: good.expiresAt,
    });
    // Checking spends nothing: the submit does.
    expect((await check(good.secret)).id).toBe(good.id);

    const wrong = good.secret.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
    const other = await create();
    const swapped = `${other.id}:${good.secret.split(':')[1]}`;
    const unknown = `es-0000000000000000:${good.secret.split(':')[1]}`;
    const expiring = await create({ ttlSeconds: 60 });
    const revoked = await create();
    await revoke(revoked.id);
    const used = await create();
    await spend(used.id);

    clock.advance(60_000);
    try {
      const refusals: SignetError[] = [];
      for (const c of [wrong, swapped, unknown, 'es-short:abc', `${good.id}:${good.secret.split(':')[1].toUpperCase()}`, expiring.secret, revoked.secret, used.secret]) refusals.push(await failure(check(c)));
      const shapes = refusals.map((e) => ({ code: e.code, message: e.message, details: e.details, retryable: e.retryable }));
      expect(new Set(shapes.map((s) => JSON.stringify(s))).size).toBe(1);
      expect(shapes[0]).toEqual({ code: ErrorCode.Unauthorized, message: 'enrollment secret not accepted', details: { reason: 'invalid_enrollment_secret' }, retryable: false });
      // The good one still holds one minute later.
      expect((await check(good.secret)).id).toBe(good.id);
    } finally {
      clock.advance(-60_000);
    }
  });

  it('a submit spends it once: used with the request id, audited, refused ever after; a second submit with it rolls back', async () => {
    const c = await create();
    const requestId = await spend(c.id);
    const [row] = (await list(viewer, 'used')).secrets.filter((s) => s.id === c.id);
    expect(row).toMatchObject({ state: 'used', usedAt: '2027-03-01T10:00:00.000Z', usedByRequestId: requestId });
    expect((await auditEntries()).filter((e) => e.action === 'enrollment-secret.use' && e.details.id === c.id)).toEqual([
      expect.objectContaining({ actor: `enrollment-secret:${c.id}`, requestId, details: { id: c.id } }),
    ]);
    expect(await failure(check(c.secret))).toMatchObject({ code: ErrorCode.Unauthorized });

    const store = h.app.get(EnrollmentSecretStore);
    const before = await h.ds.query(`SELECT count(*)::int AS n FROM audit_log`);
    const again = await h.ds.transaction((m) => store.markUsed(m, `enrollment-secret:${c.id}`, requestId)).then(
      () => undefined,
      (e: SignetError) => e,
    );
    expect(again).toMatchObject({ code: ErrorCode.Unauthorized, message: 'enrollment secret not accepted' });
    expect(await h.ds.query(`SELECT count(*)::int AS n FROM audit_log`)).toEqual(before);
    // Not a secret's one-time id: nothing to spend here.
    expect(await h.ds.transaction((m) => store.markUsed(m, 'enrollment-token:jti-1', requestId))).toBe(false);
  });

  it('a retry of the request that spent it (retryOf = its idempotency key) still holds, and replays that request', async () => {
    const c = await create();
    const request = makeCsr(w, `${c.id}-retry`, `/CN=retry.example.test`);
    const first = await h.submitAs(secretIdentity(c.id), { request, idempotencyKey: `est-${c.id}` });
    const at = c.secret.indexOf(':');
    const presented = { id: c.id, secret: c.secret.slice(at + 1) };
    const retry = (extra: Record<string, unknown>) => h.client.call(Commands.enrollmentSecretCheck, h.ca, { ...presented, ...extra });
    // Past its expiry too: spending is over, the retry only reads the request back.
    clock.advance(8 * DAY);
    try {
      expect((await retry({ retryOf: `est-${c.id}` })).id).toBe(c.id);
      expect(await failure(retry({}))).toMatchObject({ code: ErrorCode.Unauthorized });
      expect(await failure(retry({ retryOf: 'est-another-request' }))).toMatchObject({ code: ErrorCode.Unauthorized });
      expect(await failure(retry({ retryOf: `est-${c.id}`, secret: '0'.repeat(64) }))).toMatchObject({ code: ErrorCode.Unauthorized });
      const again = await h.submitAs(secretIdentity(c.id), { request, idempotencyKey: `est-${c.id}` });
      expect(again.requestId).toBe(first.requestId);
    } finally {
      clock.advance(-8 * DAY);
    }
  });

  it('two submits racing with one secret: exactly one spends it', async () => {
    const c = await create();
    const outcomes = await Promise.allSettled([1, 2].map((i) => spend(c.id, `race${i}.example.test`)));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [row] = (await list(viewer, 'used')).secrets.filter((s) => s.id === c.id);
    expect(row.usedByRequestId).toBe((outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<number>).value);
  });

  it('revoke: an officer revokes an unused secret (audited); used or revoked is WRONG_STATE, unknown NOT_FOUND', async () => {
    const c = await create();
    const r = await revoke(c.id);
    expect(r).toMatchObject({ id: c.id, state: 'revoked', revokedAt: '2027-03-01T10:00:00.000Z', revokedBy: 'olivia' });
    expect(JSON.stringify(r)).not.toContain(c.secret.split(':')[1]);
    expect(await failure(revoke(c.id))).toMatchObject({ code: ErrorCode.WrongState, details: { id: c.id, state: 'revoked' } });
    const u = await create();
    await spend(u.id);
    expect(await failure(revoke(u.id))).toMatchObject({ code: ErrorCode.WrongState, details: { state: 'used' } });
    expect(await failure(revoke('es-ffffffffffffffff'))).toMatchObject({ code: ErrorCode.NotFound });
    expect((await auditEntries()).filter((e) => e.action === 'enrollment-secret.revoke' && e.details.id === c.id)).toEqual([expect.objectContaining({ actor: 'olivia' })]);
  });

  it('roles: officers create and revoke; every role lists; refusals are audited as admin.forbidden', async () => {
    for (const actor of [viewer, auditor, caAdmin]) {
      expect(await failure(create({}, actor))).toMatchObject({ code: ErrorCode.Forbidden, details: { action: 'createEnrollmentSecret', needs: 'officer', reason: 'MISSING_ROLE' } });
    }
    const c = await create();
    for (const actor of [viewer, auditor, caAdmin]) {
      expect(await failure(revoke(c.id, actor))).toMatchObject({ code: ErrorCode.Forbidden, details: { action: 'revokeEnrollmentSecret', needs: 'officer' } });
      expect((await list(actor)).secrets.some((s) => s.id === c.id)).toBe(true);
    }
    expect(await failure(list({ name: 'nobody', roles: [] }))).toMatchObject({ code: ErrorCode.Forbidden });
    const refused = (await auditEntries()).filter((e) => e.action === 'admin.forbidden' && String(e.details.attempted).includes('EnrollmentSecret'));
    expect(refused.length).toBeGreaterThanOrEqual(7);
    // The secret is still active: nobody without the role changed it.
    expect((await check(c.secret)).id).toBe(c.id);
  });

  it('list filters by state, newest first', async () => {
    const a = await create();
    clock.advance(1000);
    const b = await create({ ttlSeconds: 60 });
    clock.advance(61_000);
    try {
      const active = (await list(viewer, 'active')).secrets.map((s) => s.id);
      expect(active.indexOf(a.id)).toBeGreaterThanOrEqual(0);
      expect(active).not.toContain(b.id);
      const expired = (await list(viewer, 'expired')).secrets;
      expect(expired.map((s) => s.id)).toContain(b.id);
      expect(expired.every((s) => s.state === 'expired')).toBe(true);
      const all = (await list()).secrets.map((s) => s.id);
      expect(all.indexOf(b.id)).toBeLessThan(all.indexOf(a.id));
    } finally {
      clock.advance(-62_000);
    }
  });
});
