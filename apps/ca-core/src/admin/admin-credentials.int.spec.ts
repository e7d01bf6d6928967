import { generateAssertionKeyPair, loadSigningKey, signAdminAssertion, type SigningKey } from '@signet/assertions';
import { encodeJson } from '@signet/bus';
import { ADMIN_COMMAND_KEYS, AdminAssertion, Commands, ErrorCode, type Actor, type Command } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { type z } from 'zod';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';

/*
 * ADR 0028: ca-core authorises each admin command itself. The actor comes
 * only from an admin assertion signed by a key in SIGNET_ADMIN_ASSERTION_KEYS,
 * bound to this CA, this command and these body bytes, and short-lived.
 * Anything else is UNAUTHORIZED (or BAD_MESSAGE for an actor written into
 * the body) and writes nothing. Over the real bus, no admin-api in between.
 */

const olivia: Actor = { name: 'olivia', roles: ['officer'] };
const root: Actor = { name: 'root', roles: ['ca-admin', 'officer', 'auditor', 'viewer'] };

/** A valid body for every admin command (valid for the contract; the state may not allow it). */
const SAMPLES: Record<string, unknown> = {
  adminResubmit: { requestId: 1 },
  adminDeny: { requestId: 1 },
  adminSetAttributes: { requestId: 1, attributes: 'a:b' },
  adminSetExtension: { requestId: 1, oid: '1.2.3.4', value: { type: 'string', value: 'x' } },
  adminGetRequest: { requestId: 1 },
  adminRevoke: { serial: '0a', reason: 1 },
  adminRelease: { serial: '0a' },
  adminImportCertificate: { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
  adminCertStatus: { serial: '0a' },
  adminGetCertificate: { serial: '0a' },
  adminView: {},
  adminModules: {},
  adminAuditList: {},
  adminAuditRecord: { action: 'deadletter.discard', details: { id: '1' } },
  adminAuditVerify: {},
  adminAuthenticate: { tokenSha256: '0'.repeat(64) },
  adminCreateToken: { name: 'mallory', roles: ['ca-admin'] },
  adminRevokeToken: { name: 'nobody' },
  adminPublishCrl: {},
  adminCreateEnrollmentSecret: { names: [{ type: 'dns', value: 'a.example.com' }], subject: [], template: 'WebServer' },
  adminListEnrollmentSecrets: {},
  adminRevokeEnrollmentSecret: { id: 'es-0000000000000000' },
};

describe('ca-core believes an admin actor only from admin-api\'s assertion', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  const foreign: SigningKey = loadSigningKey(generateAssertionKeyPair().privateKeyPem);

  beforeAll(async () => {
    // No CRL schedule: nothing but the calls under test may write.
    h = await startCaCore('admcred', { SIGNET_CRL_PERIOD_HOURS: '0', SIGNET_CRL_ON_REVOKE: 'false' });
  });
  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  let n = 0;
  const pending = async (): Promise<number> => {
    n++;
    const r = await h.client.call(Commands.submit, h.ca, { request: makeCsr(w, `p${n}`, `/CN=p${n}.cred.test`), attributes: '' });
    expect(r.disposition).toBe('pending');
    return r.requestId;
  };

  /** Everything an admin command could change, as one comparable value. */
  const state = async () =>
    (await h.ds.query(
      `SELECT (SELECT count(*) FROM audit_log WHERE ca_name = $1) AS audit,
              (SELECT count(*) FROM outbox) AS outbox,
              (SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM request r WHERE ca_name = $1) AS requests,
              (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.serial), '')) FROM certificate c) AS certificates,
              (SELECT count(*) FROM request_attribute) AS attributes,
              (SELECT count(*) FROM request_extension) AS extensions,
              (SELECT count(*) FROM admin_token) AS tokens,
              (SELECT count(*) FROM crl) AS crls,
              (SELECT count(*) FROM admin_assertion_used WHERE ca_name = $1) AS assertions`,
      [h.ca],
    )) as unknown[];

  /** Sends `body` raw, with `assertion` (or none) in the header: what any process on the bus can do. */
  const raw = <R extends z.ZodType, P extends z.ZodType>(cmd: Command<R, P>, body: unknown, assertion?: (bytes: Uint8Array) => Promise<string>) =>
    h.rawClient.call(cmd, h.ca, body as z.input<R>, assertion ? { headers: async (bytes) => ({ [AdminAssertion.header]: await assertion(bytes) }) } : {});
  const signed = (o: { key?: SigningKey; ca?: string; command?: string; actor?: Actor; now?: Date; body?: unknown }) => (bytes: Uint8Array) =>
    signAdminAssertion(o.key ?? h.adminKey, { ca: o.ca ?? h.ca, command: o.command ?? Commands.adminDeny.name, body: o.body === undefined ? bytes : encodeJson(o.body), actor: 'actor' in o ? o.actor : olivia, now: o.now });

  it('a valid assertion works, and the audit log records the asserted actor', async () => {
    const requestId = await pending();
    const r = await raw(Commands.adminDeny, { requestId, reason: 'not ours' }, signed({ actor: olivia }));
    expect(r).toMatchObject({ requestId, disposition: 'denied', message: 'Denied by olivia: not ours' });
    const [entry] = (await h.ds.query(`SELECT actor FROM audit_log WHERE ca_name = $1 AND request_id = $2 AND action = 'request.admin-deny'`, [h.ca, requestId])) as { actor: string }[];
    expect(entry.actor).toBe('olivia');
  });

  it.each<[string, (requestId: number) => Promise<unknown>, string]>([
    ['no assertion, an actor claimed in the body', (requestId) => raw(Commands.adminDeny, { requestId, actor: root }), ErrorCode.BadMessage],
    ['no assertion at all', (requestId) => raw(Commands.adminDeny, { requestId }), 'malformed'],
    ['a garbage assertion', (requestId) => raw(Commands.adminDeny, { requestId }, async () => 'eyJhbGciOiJub25lIn0.e30.'), 'malformed'],
    ['one signed by a key ca-core does not trust', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ key: foreign, actor: root })), 'unknown-key'],
    ['an expired one', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ now: new Date(Date.now() - 120_000) })), 'expired'],
    ['one for another CA', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ ca: 'another-ca' })), 'wrong-audience'],
    ['one for another command (a resubmit, replayed onto a deny)', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ command: Commands.adminResubmit.name })), 'wrong-command'],
    ['one over another payload (request 1, sent with this request)', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ body: { requestId: 1 } })), 'wrong-body'],
    ['one naming no actor (as for an authentication)', (requestId) => raw(Commands.adminDeny, { requestId }, signed({ actor: undefined })), 'bad-claims'],
    ['a valid one for olivia, with a body actor that differs', (requestId) => raw(Commands.adminDeny, { requestId, actor: root }, signed({ actor: olivia })), ErrorCode.BadMessage],
  ])('refuses %s, and writes nothing', async (_n, send, why) => {
    const requestId = await pending();
    const before = await state();
    const e = await failure(send(requestId));
    if (why === ErrorCode.BadMessage) expect(e).toMatchObject({ code: ErrorCode.BadMessage, message: expect.stringContaining('actor') });
    else expect(e).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: why } });
    expect(await state()).toEqual(before);
    expect((await h.client.call(Commands.adminGetRequest, h.ca, { actor: olivia, requestId })).disposition).toBe('pending');
  });

  it('accepts an assertion once: a copy replayed within its lifetime is refused and writes nothing, for a change and for a read', async () => {
    const requestId = await pending();
    let copy: string | undefined;
    const once = (sign: (bytes: Uint8Array) => Promise<string>) => async (bytes: Uint8Array) => (copy ??= await sign(bytes));
    const deny = once(signed({ actor: olivia }));
    expect(await raw(Commands.adminDeny, { requestId, reason: 'first' }, deny)).toMatchObject({ requestId, disposition: 'denied' });
    const before = await state();
    expect(await failure(raw(Commands.adminDeny, { requestId, reason: 'first' }, deny))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'replayed' } });
    expect(await state()).toEqual(before);

    copy = undefined;
    const read = once(signed({ command: Commands.adminGetRequest.name, actor: olivia }));
    expect(await raw(Commands.adminGetRequest, { requestId }, read)).toMatchObject({ requestId, disposition: 'denied' });
    expect(await failure(raw(Commands.adminGetRequest, { requestId }, read))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'replayed' } });
    // A fresh assertion for the same command and body is a new command, and works.
    expect(await raw(Commands.adminGetRequest, { requestId }, signed({ command: Commands.adminGetRequest.name, actor: olivia }))).toMatchObject({ requestId });
  });

  it('forgets the ids of assertions long expired, and still refuses those as expired', async () => {
    const requestId = await pending();
    await h.ds.query(`INSERT INTO admin_assertion_used (ca_name, jti, expires_at) VALUES ($1, 'stale-id', now() - interval '2 minutes')`, [h.ca]);
    await raw(Commands.adminGetRequest, { requestId }, signed({ command: Commands.adminGetRequest.name, actor: olivia }));
    expect(await h.ds.query(`SELECT jti FROM admin_assertion_used WHERE ca_name = $1 AND jti = 'stale-id'`, [h.ca])).toEqual([]);
    const old = signed({ command: Commands.adminGetRequest.name, actor: olivia, now: new Date(Date.now() - 120_000) });
    expect(await failure(raw(Commands.adminGetRequest, { requestId }, old))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'expired' } });
  });

  it('refuses every admin command without an assertion, and each with one signed by a foreign key', async () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ADMIN_COMMAND_KEYS].sort());
    const before = await state();
    for (const k of ADMIN_COMMAND_KEYS) {
      const cmd = Commands[k] as unknown as Command<z.ZodType, z.ZodType>;
      expect({ k, e: await failure(raw(cmd, SAMPLES[k])) }).toMatchObject({ k, e: { code: ErrorCode.Unauthorized } });
      expect({ k, e: await failure(raw(cmd, SAMPLES[k], signed({ key: foreign, command: cmd.name, actor: k === 'adminAuthenticate' ? undefined : root }))) }).toMatchObject({
        k,
        e: { code: ErrorCode.Unauthorized, details: { reason: 'unknown-key' } },
      });
    }
    expect(await state()).toEqual(before);
  });

  it('authentication takes an assertion that names no actor, and only that', async () => {
    const body = { tokenSha256: '0'.repeat(64) };
    expect(await failure(raw(Commands.adminAuthenticate, body, signed({ command: Commands.adminAuthenticate.name, actor: root })))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'bad-claims' } });
    // Signed by admin-api, an unknown token is answered as one (not as a refused assertion).
    expect(await failure(raw(Commands.adminAuthenticate, body, signed({ command: Commands.adminAuthenticate.name, actor: undefined })))).not.toMatchObject({ details: { reason: 'unknown-key' } });
  });

  it('role checks use the asserted actor: a viewer\'s assertion cannot deny, whatever the body said', async () => {
    const requestId = await pending();
    const e = await failure(raw(Commands.adminDeny, { requestId }, signed({ actor: { name: 'vera', roles: ['viewer'] } })));
    expect(e).toMatchObject({ code: ErrorCode.Forbidden, details: { reason: 'MISSING_ROLE' } });
    const [entry] = (await h.ds.query(`SELECT actor, details FROM audit_log WHERE ca_name = $1 AND request_id = $2 AND action = 'admin.forbidden'`, [h.ca, requestId])) as { actor: string; details: Record<string, unknown> }[];
    expect(entry).toMatchObject({ actor: 'vera', details: { attempted: 'deny', roles: ['viewer'] } });
  });
});

describe('ca-core without SIGNET_ADMIN_ASSERTION_KEYS', () => {
  let h: CaCoreHarness;
  beforeAll(async () => {
    h = await startCaCore('admnokeys', { SIGNET_ADMIN_ASSERTION_KEYS: undefined, SIGNET_CRL_PERIOD_HOURS: '0' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses every admin command, even one signed by the key admin-api would use', async () => {
    expect(await failure(h.client.call(Commands.adminView, h.ca, { actor: root }))).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'unknown-key' } });
    expect(await failure(h.client.call(Commands.adminAuthenticate, h.ca, { tokenSha256: '0'.repeat(64) }))).toMatchObject({ code: ErrorCode.Unauthorized });
  });
});
