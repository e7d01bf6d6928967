import { Commands, ErrorCode, Events, ExitEvent } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeKeyUsage, OID } from '@signet/x509';
import { runAdminTokenCli } from '../admin-token';
import { failure, startCaCore, type CaCoreHarness, issuing } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';
import { tokenSha256 } from './tokens/admin-tokens';

/*
 * ICertAdmin on certificates (revoke, release, IsValidCertificate), the
 * audit log with its hash chain, admin tokens and the module list, through
 * the real bus and database.
 */

const officer = { name: 'olivia', roles: ['officer' as const] };
const auditor = { name: 'audrey', roles: ['auditor' as const] };
const caAdmin = { name: 'adam', roles: ['ca-admin' as const] };
const viewer = { name: 'victor', roles: ['viewer' as const] };

describe('administration of certificates, audit log and tokens on the real bus and database', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('admcert');
    h.setPolicy(issuing([{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) }], 'issued'));
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  async function issue(name: string): Promise<{ requestId: number; serial: string }> {
    const r = await h.submitOnBus('alice', { request: makeCsr(w, name, `/CN=${name}.example.test`) });
    expect(r.disposition).toBe('issued');
    return { requestId: r.requestId, serial: r.serial! };
  }
  const status = (serial: string) => h.client.call(Commands.adminCertStatus, h.ca, { actor: viewer, serial });
  const revoke = (serial: string, reason: number, extra: { effectiveAt?: string; invalidityDate?: string } = {}) =>
    h.client.call(Commands.adminRevoke, h.ca, { actor: officer, serial, reason, ...extra });
  const release = (serial: string) => h.client.call(Commands.adminRelease, h.ca, { actor: officer, serial });
  const revokedEvents = async (serial: string) =>
    (await h.ds.query(`SELECT subject, payload FROM outbox WHERE payload->>'serial' = $1 AND subject = $2 ORDER BY id`, [serial, Events.subject(h.ca, ExitEvent.CertificateRevoked)])) as Array<{
      payload: Record<string, unknown>;
    }>;

  it('revoke, re-revoke with a new reason and date, and the status after each (IsValidCertificate)', async () => {
    const { requestId, serial } = await issue('revoke');
    expect(await status(serial)).toEqual({ serial, status: 'valid', caDisposition: 3, requestId, notAfter: expect.any(String) });

    const effectiveAt = '2026-01-02T03:04:05.000Z';
    const onHold = await revoke(serial, 6, { effectiveAt });
    expect(onHold).toEqual({ serial, status: 'revoked', caDisposition: 2, requestId, reason: 6, revokedAt: expect.any(String), effectiveAt, notAfter: expect.any(String) });
    expect(await status(serial)).toEqual(onHold);

    const invalidityDate = '2026-01-01T00:00:00.000Z';
    const compromised = await revoke(serial, 1, { invalidityDate });
    expect(compromised).toMatchObject({ status: 'revoked', reason: 1, invalidityDate, revokedAt: onHold.revokedAt });
    expect(Date.parse(compromised.effectiveAt!)).toBeGreaterThan(Date.parse(effectiveAt));

    // The request shows the revocation; the certificate detail carries the status.
    const d = await h.client.call(Commands.adminGetCertificate, h.ca, { actor: viewer, serial });
    expect(d).toMatchObject({ requestId, disposition: 'revoked', dispositionCode: 6, message: 'Revoked by olivia (keyCompromise)', certificate: { serial, status: { reason: 1 } } });
    expect(d.certificate!.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);

    // Permanently revoked: neither a hold nor a release may bring it back.
    expect(await failure(revoke(serial, 6))).toMatchObject({ code: ErrorCode.WrongState, message: expect.stringMatching(/keyCompromise, which is final/) });
    expect(await failure(release(serial))).toMatchObject({ code: ErrorCode.WrongState, message: expect.stringMatching(/only a certificate on hold/) });
    expect(await status(serial)).toMatchObject({ status: 'revoked', reason: 1 });

    const events = await revokedEvents(serial);
    expect(events.map((e) => [e.payload.disposition, e.payload.message])).toEqual([
      ['revoked', 'Revoked by olivia (certificateHold)'],
      ['revoked', 'Revoked by olivia (keyCompromise)'],
    ]);
    expect(events[0].payload).toMatchObject({ requestId, serial, event: 'certificate.revoked', eventBit: 0x8 });
  });

  it('release from hold: back to valid and issued; a second release is refused', async () => {
    const { requestId, serial } = await issue('hold');
    await revoke(serial, 6);
    const released = await release(serial);
    expect(released).toEqual({ serial, status: 'valid', caDisposition: 3, requestId, notAfter: expect.any(String) });
    expect(await status(serial)).toEqual(released);
    expect((await h.client.call(Commands.adminGetRequest, h.ca, { actor: viewer, requestId })).disposition).toBe('issued');
    expect(await failure(release(serial))).toMatchObject({ code: ErrorCode.WrongState, message: expect.stringMatching(/cannot release a request that is issued/) });
    expect((await revokedEvents(serial)).map((e) => e.payload.disposition)).toEqual(['revoked', 'issued']);
  });

  it('an unknown serial: status unknown (CA_DISP_INVALID), revoke and fetch NOT_FOUND', async () => {
    const serial = '7f'.repeat(16);
    expect(await status(serial)).toEqual({ serial, status: 'unknown', caDisposition: 4 });
    expect(await failure(revoke(serial, 1))).toMatchObject({ code: ErrorCode.NotFound });
    expect(await failure(release(serial))).toMatchObject({ code: ErrorCode.NotFound });
    expect(await failure(h.client.call(Commands.adminGetCertificate, h.ca, { actor: viewer, serial }))).toMatchObject({ code: ErrorCode.NotFound });
  });

  it('refuses removeFromCRL and the unused reason 7 at the contract, and revocation by a non-officer', async () => {
    const { serial } = await issue('bad-reason');
    expect(await failure(revoke(serial, 8))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await failure(revoke(serial, 7))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await failure(h.client.call(Commands.adminRevoke, h.ca, { actor: caAdmin, serial, reason: 1 }))).toMatchObject({ code: ErrorCode.Forbidden });
    expect(await status(serial)).toMatchObject({ status: 'valid' });
  });

  it('lists the modules the CA knows', async () => {
    const r = await h.client.call(Commands.adminModules, h.ca, { actor: viewer });
    expect(r.modules).toEqual([expect.objectContaining({ kind: 'policy', name: 'test-policy', version: '0.0.1' })]);
  });

  describe('admin tokens', () => {
    it('a CA administrator creates a token, shown once; only its SHA-256 is stored; it authenticates', async () => {
      const created = await h.client.call(Commands.adminCreateToken, h.ca, { actor: caAdmin, name: 'ops-bot', roles: ['viewer', 'officer'] });
      expect(created).toEqual({ name: 'ops-bot', roles: ['officer', 'viewer'], token: expect.stringMatching(/^sgt_[A-Za-z0-9_-]{43}$/) });
      const rows = await h.ds.query(`SELECT token_sha256, roles, created_by FROM admin_token WHERE ca_name = $1 AND name = 'ops-bot'`, [h.ca]);
      expect(rows).toEqual([{ token_sha256: tokenSha256(created.token), roles: ['officer', 'viewer'], created_by: 'adam' }]);
      expect(JSON.stringify(rows)).not.toContain(created.token);
      expect(await h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: tokenSha256(created.token) })).toEqual({ name: 'ops-bot', roles: ['officer', 'viewer'], epoch: 0 });
    });

    it('unknown and revoked tokens are UNAUTHORIZED; names are unique per CA; only ca-admin creates', async () => {
      expect(await failure(h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: tokenSha256('sgt_nope') }))).toMatchObject({ code: ErrorCode.Unauthorized });
      const t = await h.client.call(Commands.adminCreateToken, h.ca, { actor: caAdmin, name: 'short-lived', roles: ['auditor'] });
      await h.ds.query(`UPDATE admin_token SET revoked_at = now() WHERE name = 'short-lived'`);
      expect(await failure(h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: tokenSha256(t.token) }))).toMatchObject({ code: ErrorCode.Unauthorized });
      expect(await failure(h.client.call(Commands.adminCreateToken, h.ca, { actor: caAdmin, name: 'short-lived', roles: ['auditor'] }))).toMatchObject({ code: ErrorCode.WrongState });
      expect(await failure(h.client.call(Commands.adminCreateToken, h.ca, { actor: officer, name: 'sneaky', roles: ['ca-admin'] }))).toMatchObject({ code: ErrorCode.Forbidden });
    });

    it('the bootstrap command creates a token in the CA database that then authenticates over the bus', async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runAdminTokenCli(['create', '--name', 'first-admin', '--roles', 'ca-admin,auditor'], { SIGNET_DATABASE_URL: h.db.url, SIGNET_CA_NAME: h.ca }, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
      expect({ code, err }).toEqual({ code: 0, err: [] });
      const printed = JSON.parse(out.join('\n'));
      expect(printed).toEqual({ name: 'first-admin', roles: ['ca-admin', 'auditor'], token: expect.stringMatching(/^sgt_/) });
      expect(await h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: tokenSha256(printed.token) })).toEqual({ name: 'first-admin', roles: ['ca-admin', 'auditor'], epoch: 0 });
    });
  });

  describe('audit log', () => {
    it('records administration done by exit-service (dead letters) for CA administrators only; an unknown action is a bad message', async () => {
      const rec = await h.client.call(Commands.adminAuditRecord, h.ca, { actor: caAdmin, action: 'deadletter.discard', details: { id: '42' } });
      expect(rec).toEqual({ id: expect.any(Number), seq: expect.any(Number) });
      const { entries } = await h.client.call(Commands.adminAuditList, h.ca, { actor: auditor, limit: 1000 });
      expect(entries.find((e) => e.id === rec.id)).toMatchObject({ actor: 'adam', action: 'deadletter.discard', details: { id: '42' } });
      expect(await failure(h.client.call(Commands.adminAuditRecord, h.ca, { actor: officer, action: 'deadletter.replay', details: { id: '42' } }))).toMatchObject({
        code: ErrorCode.Forbidden,
        details: { action: 'deadletter.replay', needs: 'ca-admin' },
      });
      expect(await failure(h.client.call(Commands.adminAuditRecord, h.ca, { actor: caAdmin, action: 'certificate.revoke' as never, details: {} }))).toMatchObject({ code: ErrorCode.BadMessage });
    });

    it('every action above is in the chained log with who, what and before/after; auditors only', async () => {
      const { entries } = await h.client.call(Commands.adminAuditList, h.ca, { actor: auditor, limit: 1000 });
      const seen = new Set(entries.map((e) => `${e.actor}:${e.action}`));
      for (const a of [
        'bus:alice:request.submit',
        'ca:request.issue',
        'olivia:certificate.revoke',
        'olivia:certificate.release',
        'adam:admin-token.create',
        'adam:admin.forbidden',
        'olivia:admin.forbidden',
      ]) {
        expect(seen).toContain(a);
      }
      expect([...seen].some((s) => /^admin-token-cli.*:admin-token\.create$/.test(s))).toBe(true);
      const release = entries.find((e) => e.action === 'certificate.release')!;
      expect(release).toMatchObject({ before: 'revoked', after: 'issued', serial: expect.any(String), requestId: expect.any(Number), details: { previous: { reason: 6 } } });
      expect(release.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await failure(h.client.call(Commands.adminAuditList, h.ca, { actor: officer }))).toMatchObject({ code: ErrorCode.Forbidden });
      expect(await failure(h.client.call(Commands.adminAuditVerify, h.ca, { actor: caAdmin }))).toMatchObject({ code: ErrorCode.Forbidden });
    });

    it('verify: intact, then an edited row is found at that entry, then a deleted row at the entry after it', async () => {
      const verify = () => h.client.call(Commands.adminAuditVerify, h.ca, { actor: auditor });
      const intact = await verify();
      expect(intact).toEqual({ ok: true, checked: expect.any(Number), brokenAt: null });
      const ids: number[] = (await h.ds.query(`SELECT id FROM audit_log WHERE ca_name = $1 ORDER BY seq`, [h.ca])).map((r: { id: string }) => Number(r.id));
      expect(intact.checked).toBe(ids.length);

      const edited = ids[5];
      const [{ actor: original }] = await h.ds.query(`SELECT actor FROM audit_log WHERE id = $1`, [edited]);
      await h.ds.query(`UPDATE audit_log SET actor = 'someone-else' WHERE id = $1`, [edited]);
      expect(await verify()).toEqual({ ok: false, checked: 5, brokenAt: { id: edited, reason: expect.stringMatching(/this entry was changed/) } });
      // Undoing the edit restores the chain: the hash covers content, not the act of writing.
      await h.ds.query(`UPDATE audit_log SET actor = $2 WHERE id = $1`, [edited, original]);
      expect((await verify()).ok).toBe(true);

      await h.ds.query(`DELETE FROM audit_log WHERE id = $1`, [ids[2]]);
      expect(await verify()).toEqual({ ok: false, checked: 2, brokenAt: { id: ids[3], reason: expect.stringMatching(/entry #3 .* is missing \(deleted\)/) } });
    });
  });
});
