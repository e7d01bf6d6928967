import { createHash } from 'node:crypto';
import { Commands, ErrorCode, Events, ExitEvent, type IdentityInput, type PolicyVerifyReply, type RevocationProof } from '@signet/contracts';
import { fromPem } from '@signet/x509';
import { ScratchDir } from '@signet/testing';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { signRevokeAssertion, signSubmitAssertion } from '../testing/front-door';
import { makeCsr } from '../testing/openssl';

/*
 * ADR 0035: a front door revokes for an enrollee (ACME revokeCert) on
 * ca.<ca>.request.revoke, on the real bus and database: the requester of
 * the certificate, or whoever proved its key to the front door; never for a
 * certificate that is not the one they presented or not theirs.
 */
const issue = (): PolicyVerifyReply => ({ verdict: 'issue', message: 'ok', changes: {} });

describe('enrollee revocation at ca-core', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  let n = 0;
  const alice: IdentityInput = { method: 'acme-account', principal: 'https://ca.test/acme/acct/alice', names: [], groups: [], evidence: {} };
  const mallory: IdentityInput = { method: 'acme-account', principal: 'https://ca.test/acme/acct/mallory', names: [], groups: [], evidence: {} };

  beforeAll(async () => {
    h = await startCaCore('erevoke');
    h.setPolicy(issue);
  });
  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  /** A certificate issued to alice: its serial and the SHA-256 of its DER. */
  async function issued(): Promise<{ serial: string; sha256: string; requestId: number; dnsName: string }> {
    const name = `r${++n}`;
    const r = await h.submitAs(alice, { request: makeCsr(w, name, `/CN=${name}.erevoke.test`), attributes: 'CertificateTemplate:WebServer' });
    expect(r.disposition).toBe('issued');
    return { serial: r.serial!, sha256: createHash('sha256').update(fromPem(r.certificate!)).digest('hex'), requestId: r.requestId, dnsName: `${name}.erevoke.test` };
  }

  const revoke = async (identity: IdentityInput, c: { serial: string; sha256: string }, reason: number, proof: RevocationProof, over: { reason?: number; sha256?: string } = {}) =>
    h.rawClient.call(Commands.enrolleeRevoke, h.ca, {
      serial: c.serial,
      reason,
      identityAssertion: await signRevokeAssertion(h.frontDoor, h.ca, identity, { serial: c.serial, reason: over.reason ?? reason, proof, certificateSha256: over.sha256 ?? c.sha256 }),
    });

  it('ok/the requester revokes its certificate: revoked, audited as the requester, an event in the outbox', async () => {
    const c = await issued();
    const status = await revoke(alice, c, 4, 'requester');
    expect(status).toMatchObject({ serial: c.serial, status: 'revoked', reason: 4 });
    const [audit] = await h.ds.query(`SELECT actor, details FROM audit_log WHERE ca_name = $1 AND serial = $2 AND action = 'certificate.revoke'`, [h.ca, c.serial]);
    expect(audit.actor).toBe('acme-account:https://ca.test/acme/acct/alice');
    const [outbox] = await h.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE subject = $1 AND payload->>'serial' = $2`, [Events.subject(h.ca, ExitEvent.CertificateRevoked), c.serial]);
    expect(outbox.n).toBe(1);
    // Once: a second revocation by the enrollee is WRONG_STATE (alreadyRevoked at the ACME edge).
    expect((await failure(revoke(alice, c, 1, 'requester'))).code).toBe(ErrorCode.WrongState);
  });

  it('ok/the holder of the certificate key revokes it, whoever it is', async () => {
    const c = await issued();
    const status = await revoke({ method: 'anonymous', principal: 'anonymous', names: [], groups: [], evidence: {} }, c, 1, 'certificate-key');
    expect(status).toMatchObject({ status: 'revoked', reason: 1 });
  });

  it('ok/another account that proved every name of the certificate (ACME authorisations) revokes it, audited as such', async () => {
    const c = await issued();
    const authorised = { ...mallory, names: [{ type: 'dns' as const, value: c.dnsName.toUpperCase() }] };
    expect(await revoke(authorised, c, 4, 'authorizations')).toMatchObject({ serial: c.serial, status: 'revoked', reason: 4 });
    const [audit] = await h.ds.query(`SELECT actor FROM audit_log WHERE ca_name = $1 AND serial = $2 AND action = 'certificate.revoke'`, [h.ca, c.serial]);
    expect(audit.actor).toBe('acme-account:https://ca.test/acme/acct/mallory (authorised for all its names)');
  });

  it('fail/authorisations that do not cover the certificate\'s name: NOT_FOUND, nothing changes', async () => {
    const c = await issued();
    const elsewhere = { ...mallory, names: [{ type: 'dns' as const, value: `other.${c.dnsName}` }] };
    expect((await failure(revoke(elsewhere, c, 4, 'authorizations'))).code).toBe(ErrorCode.NotFound);
    expect((await failure(revoke(mallory, c, 4, 'authorizations'))).code).toBe(ErrorCode.NotFound);
    const [row] = await h.ds.query(`SELECT revoked_at FROM certificate WHERE ca_name = $1 AND serial = $2`, [h.ca, c.serial]);
    expect(row.revoked_at).toBeNull();
  });

  it.each([
    ['fail/another requester', mallory, 'requester', {}, ErrorCode.NotFound],
    ['fail/another certificate with the same serial (its hash differs)', alice, 'certificate-key', { sha256: 'ab'.repeat(32) }, ErrorCode.NotFound],
    ['fail/an assertion for another reason', alice, 'requester', { reason: 5 }, ErrorCode.Unauthorized],
  ] as const)('%s: nothing changes', async (_n, who, proof, over, code) => {
    const c = await issued();
    expect((await failure(revoke(who, c, 4, proof, over))).code).toBe(code);
    const [row] = await h.ds.query(`SELECT revoked_at FROM certificate WHERE ca_name = $1 AND serial = $2`, [h.ca, c.serial]);
    expect(row.revoked_at).toBeNull();
  });

  it('fail/without an assertion, with a submit assertion, or certificateHold: refused', async () => {
    const c = await issued();
    expect((await failure(h.rawClient.call(Commands.enrolleeRevoke, h.ca, { serial: c.serial, reason: 4 } as never))).code).toBe(ErrorCode.BadMessage);
    const msg = { request: makeCsr(w, 'x', '/CN=x.erevoke.test'), attributes: '' };
    const submitJws = await signSubmitAssertion(h.frontDoor, h.ca, alice, msg);
    expect((await failure(h.rawClient.call(Commands.enrolleeRevoke, h.ca, { serial: c.serial, reason: 4, identityAssertion: submitJws }))).code).toBe(ErrorCode.Unauthorized);
    expect((await failure(h.rawClient.call(Commands.enrolleeRevoke, h.ca, { serial: c.serial, reason: 6, identityAssertion: submitJws }))).code).toBe(ErrorCode.BadMessage);
  });
});
