import { type Msg, type Subscription } from '@nats-io/transport-node';
import { AdminTokenRevoked, AdminTokenRevokedSchema, Commands, ErrorCode, type Actor, type AdminTokenRevokedNotice } from '@signet/contracts';
import { runAdminTokenCli } from '../../admin-token';
import { failure, startCaCore, type CaCoreHarness } from '../../testing/ca-core-harness';
import { lastEvent, waitFor } from '../../testing/infra';
import { tokenSha256 } from './admin-tokens';

/*
 * Revoking an admin token takes effect at once (ADR 0024): ca-core raises
 * the CA's revocation epoch, answers authentications with the epoch they
 * were read under, and announces every revocation on
 * ca.<ca>.events.admin-token.revoked — over the bus before it answers, and
 * through the outbox when the bootstrap command revoked.
 */

const caAdmin = { name: 'adam', roles: ['ca-admin' as const] };
const officer = { name: 'olivia', roles: ['officer' as const] };

describe('admin token revocation on the real bus and database', () => {
  let h: CaCoreHarness;
  let sub: Subscription;
  const notices: AdminTokenRevokedNotice[] = [];

  beforeAll(async () => {
    h = await startCaCore('tokrev');
    // What every admin-api replica does: a plain subscription, no queue group.
    sub = h.clientNc.subscribe(AdminTokenRevoked.subject(h.ca), { callback: (e, m: Msg) => void (e || notices.push(AdminTokenRevokedSchema.parse(m.json()))) });
    await h.clientNc.flush();
  });

  afterAll(async () => {
    sub?.unsubscribe();
    await h?.close();
  });

  const create = (name: string, roles: ('viewer' | 'officer' | 'ca-admin')[] = ['viewer']) => h.client.call(Commands.adminCreateToken, h.ca, { actor: caAdmin, name, roles });
  const authenticate = (token: string) => h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: tokenSha256(token) });
  const revoke = (name: string, actor: Actor = caAdmin) => h.client.call(Commands.adminRevokeToken, h.ca, { actor, name });

  it('a CA administrator revokes a token: announced before the answer, refused from then on as revoked', async () => {
    const t = await create('to-revoke');
    expect(await authenticate(t.token)).toEqual({ name: 'to-revoke', roles: ['viewer'], epoch: 0 });

    const seenBefore = notices.length;
    const r = await revoke('to-revoke');
    expect(r).toEqual({ name: 'to-revoke', revokedAt: expect.any(String), epoch: 1 });
    // ca-core published the notice before it answered, on the same connection: it has arrived already.
    expect(notices.slice(seenBefore)).toEqual([{ id: expect.any(String), ca: h.ca, occurredAt: expect.any(String), name: 'to-revoke', epoch: 1 }]);
    const notice = notices[seenBefore];
    // It is in the event stream under its id, and its outbox row is done.
    expect(await lastEvent(h.clientNc, AdminTokenRevoked.subject(h.ca))).toEqual({ msgId: notice.id, payload: notice });
    expect(await h.ds.query(`SELECT published_at IS NOT NULL AS published FROM outbox WHERE event_id = $1`, [notice.id])).toEqual([{ published: true }]);

    expect(await failure(authenticate(t.token))).toMatchObject({
      code: ErrorCode.Unauthorized,
      message: 'this admin token has been revoked',
      details: { reason: 'revoked_token' },
    });
    expect(await failure(authenticate('sgt_never-issued'))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'invalid_token' } });
    // Other tokens answer with the new epoch.
    const other = await create('still-valid');
    expect(await authenticate(other.token)).toEqual({ name: 'still-valid', roles: ['viewer'], epoch: 1 });

    const { entries } = await h.client.call(Commands.adminAuditList, h.ca, { actor: { name: 'audrey', roles: ['auditor'] }, limit: 1000 });
    expect(entries.filter((e) => e.action === 'admin-token.revoke')).toEqual([expect.objectContaining({ actor: 'adam', details: { name: 'to-revoke' } })]);
  });

  it('only a CA administrator revokes; an unknown or already revoked name is NOT_FOUND; nothing is announced then', async () => {
    await create('kept');
    const seenBefore = notices.length;
    expect(await failure(revoke('kept', officer))).toMatchObject({ code: ErrorCode.Forbidden, details: { action: 'revokeToken', needs: 'ca-admin' } });
    expect(await failure(revoke('no-such-token'))).toMatchObject({ code: ErrorCode.NotFound });
    expect(await failure(revoke('to-revoke'))).toMatchObject({ code: ErrorCode.NotFound });
    expect(await h.client.call(Commands.adminRevokeToken, h.ca, { actor: caAdmin, name: 'kept' }).then((r) => r.name)).toBe('kept');
    expect(notices.slice(seenBefore).map((n) => n.name)).toEqual(['kept']);
  });

  it('concurrent revocations each get an epoch of their own', async () => {
    const names = ['c1', 'c2', 'c3'];
    for (const n of names) await create(n);
    const [{ epoch: before }] = await h.ds.query(`SELECT epoch::int FROM admin_token_epoch WHERE ca_name = $1`, [h.ca]);
    const results = await Promise.all(names.map((n) => revoke(n)));
    expect(results.map((r) => r.epoch).sort((a, b) => a - b)).toEqual([before + 1, before + 2, before + 3]);
  });

  it('a revocation by the bootstrap command (no bus) is announced by ca-core through the outbox', async () => {
    const t = await create('cli-revoked');
    const { epoch: before } = await authenticate(t.token);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdminTokenCli(['revoke', '--name', 'cli-revoked'], { SIGNET_DATABASE_URL: h.db.url, SIGNET_CA_NAME: h.ca }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect({ code, out: out.map((l) => JSON.parse(l)) }).toEqual({ code: 0, out: [{ name: 'cli-revoked', revoked: true }] });
    const notice = await waitFor('the notice of the bootstrap command\'s revocation', async () => notices.find((n) => n.name === 'cli-revoked'));
    expect(notice).toEqual({ id: expect.any(String), ca: h.ca, occurredAt: expect.any(String), name: 'cli-revoked', epoch: before! + 1 });
    expect(await failure(authenticate(t.token))).toMatchObject({ details: { reason: 'revoked_token' } });
  });
});
