import { connect, type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair, loadSigningKey, signAdminAssertion } from '@signet/assertions';
import { BusClient } from '@signet/bus';
import { AdminAssertion, Commands, ErrorCode, type Actor, type Command } from '@signet/contracts';
import { type z } from 'zod';
import { opensslCsr } from './support/openssl';
import { Stack } from './support/stack';

// ADR 0028 with all five services, real NATS and PostgreSQL: a process that
// connects to the bus and publishes an admin command claiming to be root is
// refused by ca-core (no assertion, or one signed by a key of its own), and
// nothing is written; so is one on exit-service's dead-letter subjects. The
// same operations through admin-api's HTTP API work, and the audit log names
// the caller admin-api authenticated.
const stack = new Stack();
const root: Actor = { name: 'root', roles: ['ca-admin', 'officer', 'auditor', 'viewer'] };
let nc: NatsConnection;
let bus: BusClient;
let officer: string;
let admin: string;

beforeAll(async () => {
  await stack.start();
  await stack.adminReady();
  officer = stack.token('officer-cred', ['officer']).token;
  admin = stack.token('admin-cred', ['ca-admin']).token;
  nc = await connect({ servers: process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222', name: 'forger' });
  bus = new BusClient(nc, 10_000);
}, 180_000);
afterAll(async () => {
  await nc?.close();
  await stack.close();
}, 60_000);

/** The forger's own key: a well-formed admin assertion that no key ca-core trusts verifies. */
const forgedKey = loadSigningKey(generateAssertionKeyPair().privateKeyPem);
const forged = (cmd: Command<z.ZodType, z.ZodType>, audience?: string) => ({
  headers: async (body: Uint8Array) => ({ [AdminAssertion.header]: await signAdminAssertion(forgedKey, { ca: stack.ca, audience, command: cmd.name, body, actor: root }) }),
});
const refusal = (p: Promise<unknown>) => p.then((r) => ({ unexpected: r }), (e: { code: string; details?: Record<string, unknown> }) => ({ code: e.code, reason: e.details?.reason }));

/** A pending web server request: the shipped WebServer holds an anonymous HTTP enrollee for a certificate manager (ADR 0030). */
async function pending(host: string): Promise<number> {
  const res = await stack.submit({ csr: opensslCsr({ subject: `/CN=${host}`, sans: [`DNS:${host}`] }), attributes: { CertificateTemplate: 'WebServer' } });
  expect(res.status).toBe(202);
  return res.body.requestId;
}

/** A certificate an officer approved through admin-api. */
async function issued(host: string): Promise<string> {
  const approved = await stack.admin('POST', `/api/v1/requests/${await pending(host)}/resubmit`, officer);
  expect(approved.body).toMatchObject({ disposition: 'issued' });
  return approved.body.serial;
}

const writes = async () =>
  (await stack.db.query(`SELECT (SELECT count(*)::int FROM audit_log) AS audit, (SELECT count(*)::int FROM admin_token) AS tokens, (SELECT count(*)::int FROM certificate WHERE revoked_at IS NOT NULL) AS revoked, (SELECT count(*)::int FROM crl) AS crls`)).rows[0];

describe('a forged admin actor on the bus', () => {
  it('is refused for a revocation, a token for itself, a CRL and an approval, and nothing is written', async () => {
    const serial = await issued('forged-revoke.example.com');
    const before = await writes();
    // The actor written into the body, as the contract once carried it: not a field any more.
    expect(await refusal(bus.call(Commands.adminRevoke, stack.ca, { actor: root, serial, reason: 1 } as never))).toEqual({ code: ErrorCode.BadMessage, reason: undefined });
    // No assertion, or one of the forger's own making.
    expect(await refusal(bus.call(Commands.adminRevoke, stack.ca, { serial, reason: 1 }))).toEqual({ code: ErrorCode.Unauthorized, reason: 'malformed' });
    expect(await refusal(bus.call(Commands.adminRevoke, stack.ca, { serial, reason: 1 }, forged(Commands.adminRevoke)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(await refusal(bus.call(Commands.adminCreateToken, stack.ca, { name: 'mallory', roles: ['ca-admin'] }, forged(Commands.adminCreateToken)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(await refusal(bus.call(Commands.adminPublishCrl, stack.ca, {}, forged(Commands.adminPublishCrl)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(await refusal(bus.call(Commands.adminAuditList, stack.ca, {}, forged(Commands.adminAuditList)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(await writes()).toEqual(before);
    // Nor can it approve a held request.
    const held = await pending('forged-approval.example.com');
    const beforeApproval = await writes();
    expect(await refusal(bus.call(Commands.adminResubmit, stack.ca, { requestId: held }, forged(Commands.adminResubmit)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(await writes()).toEqual(beforeApproval);
    expect((await stack.db.query(`SELECT disposition FROM request WHERE id = $1`, [held])).rows).toEqual([{ disposition: 'pending' }]);
    expect((await stack.db.query(`SELECT count(*)::int AS n FROM admin_token WHERE name = 'mallory'`)).rows[0].n).toBe(0);
    // ca-core says why in its log, never the assertion itself.
    expect(stack.services.get('ca-core')!.log()).toMatch(/refused ca\.admin\.revoke: assertion is signed by a key this service does not trust \(unknown-key\)/);
  });

  it('is refused on exit-service\'s dead-letter subjects too, which admin-api\'s assertion for exit-service opens', async () => {
    const call = <K extends 'deadLetterList' | 'deadLetterReplay' | 'deadLetterDiscard'>(k: K, body: z.input<(typeof Commands)[K]['request']>, opts = {}) =>
      refusal(bus.call(Commands[k] as Command<z.ZodType, z.ZodType>, stack.ca, body, opts));
    expect(await call('deadLetterList', {})).toEqual({ code: ErrorCode.Unauthorized, reason: 'malformed' });
    expect(await call('deadLetterDiscard', { id: 'x' }, forged(Commands.deadLetterDiscard, AdminAssertion.exitAudience(stack.ca)))).toEqual({ code: ErrorCode.Unauthorized, reason: 'unknown-key' });
    expect(stack.services.get('exit-service')!.log()).toMatch(/refused exit\.deadletters\.discard: assertion is signed by a key this service does not trust \(unknown-key\)/);
    expect((await stack.admin('GET', '/api/v1/dead-letters', officer)).status).toBe(200);
  });

  it('while the same operations through admin-api work, recorded under the caller admin-api authenticated', async () => {
    const serial = await issued('http-revoke.example.com');
    const r = await stack.admin('POST', `/api/v1/certificates/${serial}/revoke`, officer, { reason: 'keyCompromise' });
    expect(r).toMatchObject({ status: 200, body: { serial, status: 'revoked', reason: 1 } });
    const t = await stack.admin('POST', '/api/v1/tokens', admin, { name: 'made-over-http', roles: ['viewer'] });
    expect(t.status).toBe(201);
    const entries = (await stack.db.query(`SELECT actor, action FROM audit_log WHERE (serial = $1 AND action = 'certificate.revoke') OR action = 'admin-token.create' ORDER BY id`, [serial])).rows;
    expect(entries).toEqual(expect.arrayContaining([{ actor: 'officer-cred', action: 'certificate.revoke' }]));
    expect(entries.filter((e: { action: string }) => e.action === 'admin-token.create').map((e: { actor: string }) => e.actor)).toContain('admin-cred');
  });
});
