import { Commands, ErrorCode, type Actor, type PolicyVerifyRequest, type RequestResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';

/*
 * ADR 0023: ca-core enforces role separation with its own
 * SIGNET_ROLE_SEPARATION, whatever admin-api let through: over the real bus,
 * straight to ca-core's admin handlers, no admin-api in between.
 */

const olivia: Actor = { name: 'olivia', roles: ['officer'] };
const oscar: Actor = { name: 'oscar', roles: ['officer'] };
const dual: Actor = { name: 'dana', roles: ['officer', 'ca-admin'] };
const auditingOfficer: Actor = { name: 'otto', roles: ['officer', 'auditor', 'viewer'] };

describe('ca-core with SIGNET_ROLE_SEPARATION=true', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('rolesep', { SIGNET_ROLE_SEPARATION: 'true' });
    h.setPolicy((req: PolicyVerifyRequest) => (req.newRequest ? { verdict: 'pend', message: 'needs approval' } : { verdict: 'issue', message: 'approved', changes: {} }));
  });
  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  const submit = (name: string, requester: string): Promise<RequestResult> =>
    h.submitOnBus(requester, { request: makeCsr(w, name, `/CN=${name}/O=Signet Tests`), attributes: '' });
  const resubmit = (requestId: number, actor: Actor) => h.client.call(Commands.adminResubmit, h.ca, { actor, requestId });
  const disposition = async (requestId: number) => (await h.client.call(Commands.adminGetRequest, h.ca, { actor: dual, requestId })).disposition;
  const refusals = async (actor: string) =>
    (await h.ds.query(`SELECT request_id AS "requestId", details FROM audit_log WHERE ca_name = $1 AND action = 'admin.forbidden' AND actor = $2 ORDER BY id`, [h.ca, actor])) as {
      requestId: string | null;
      details: Record<string, unknown>;
    }[];

  it('refuses every management call to a caller holding two separated roles, with ROLE_SEPARATION, and records it; reads stay open', async () => {
    const { requestId } = await submit('dual', 'alice');
    for (const call of [
      resubmit(requestId, dual),
      h.client.call(Commands.adminDeny, h.ca, { actor: dual, requestId }),
      h.client.call(Commands.adminCreateToken, h.ca, { actor: dual, name: 'nope', roles: ['viewer'] }),
      h.client.call(Commands.adminAuditList, h.ca, { actor: auditingOfficer }),
    ]) {
      expect(await failure(call)).toMatchObject({ code: ErrorCode.Forbidden, details: { reason: 'ROLE_SEPARATION' }, message: expect.stringMatching(/^role separation is on: (dana|otto) holds/) });
    }
    expect(await disposition(requestId)).toBe('pending');
    // Each refusal is recorded once; the order of the rows is not what this checks (it varied between runs).
    const byAction = (d: Record<string, unknown>[]) => [...d].sort((x, y) => String(x.attempted).localeCompare(String(y.attempted)));
    expect(byAction((await refusals('dana')).map((r) => r.details))).toEqual(byAction([
      { attempted: 'resubmit', roles: ['officer', 'ca-admin'], reason: 'ROLE_SEPARATION' },
      { attempted: 'deny', roles: ['officer', 'ca-admin'], reason: 'ROLE_SEPARATION' },
      { attempted: 'createToken', roles: ['officer', 'ca-admin'], reason: 'ROLE_SEPARATION' },
    ]));
    // A single-role officer still approves.
    expect(await resubmit(requestId, olivia)).toMatchObject({ disposition: 'issued' });
  });

  it('refuses an officer approving a request they submitted themselves (SELF_APPROVAL); another officer approves it', async () => {
    const { requestId } = await submit('own', 'Olivia');
    const calls = h.verifyCalls.length;
    const e = await failure(resubmit(requestId, olivia));
    expect(e).toMatchObject({
      code: ErrorCode.Forbidden,
      message: `role separation is on: olivia submitted request ${requestId} and may not approve it`,
      details: { action: 'resubmit', needs: 'officer', reason: 'SELF_APPROVAL' },
    });
    expect(h.verifyCalls.length).toBe(calls);
    expect(await disposition(requestId)).toBe('pending');
    expect(await refusals('olivia')).toEqual([{ requestId: String(requestId), details: { attempted: 'resubmit', roles: ['officer'], reason: 'SELF_APPROVAL' } }]);

    expect(await resubmit(requestId, oscar)).toMatchObject({ requestId, disposition: 'issued' });
  });
});
