import { Commands, decodeJson, encodeJson } from './support/bus';
import { signetCli } from './support/cli';
import { Stack } from './support/stack';

// ADR 0032 with all five services, real NATS and PostgreSQL: an officer
// hands out an enrollment secret with the CLI (through admin-api), the
// database keeps only its hash, the intermediary's check at ca-core answers
// what it binds, and a revoked one is refused like any wrong one.
const stack = new Stack();
let officer: string;
let viewer: string;
let auditor: string;

beforeAll(async () => {
  await stack.start();
  await stack.adminReady();
  officer = stack.token('officer-es', ['officer']).token;
  viewer = stack.token('viewer-es', ['viewer']).token;
  auditor = stack.token('auditor-es', ['auditor']).token;
}, 180_000);
afterAll(() => stack.close(), 60_000);

/** What the intermediary asks ca-core (its NATS user alone may, in a deployment). */
async function check(credential: string): Promise<{ ok: boolean; data?: any; error?: any }> {
  const at = credential.indexOf(':');
  const reply = await stack.nc.request(Commands.enrollmentSecretCheck.subject(stack.ca), encodeJson({ id: credential.slice(0, at), secret: credential.slice(at + 1) }), { timeout: 5_000 });
  return decodeJson(reply.data) as { ok: boolean; data?: any; error?: any };
}

describe('enrollment secrets end to end', () => {
  let credential: string;
  let id: string;

  it('an officer creates one with the CLI: the secret alone on stdout, once; a viewer may not', async () => {
    const r = await signetCli(stack, ['enrollment-secret', 'create', '--name', 'www.example.com', '--template', 'WebServer', '--ttl', '7d', '--note', 'e2e'], officer);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('shown only this once') });
    credential = r.stdout.trim();
    expect(credential).toMatch(/^es-[0-9a-f]{16}:[0-9a-f]{64}$/);
    id = credential.split(':')[0];
    expect(await signetCli(stack, ['enrollment-secret', 'create', '--name', 'x.example.com', '--template', 'WebServer'], viewer)).toMatchObject({ code: 7 });
  });

  it('the database holds its hash, never the secret; the list shows the binding and nothing of the secret', async () => {
    const secret = credential.split(':')[1];
    const rows = await stack.db.query(`SELECT id, secret_sha256, template, names FROM enrollment_secret`);
    expect(rows.rows).toEqual([{ id, secret_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), template: 'WebServer', names: [{ type: 'dns', value: 'www.example.com' }] }]);
    const dump = await stack.db.query(`SELECT count(*)::int AS n FROM audit_log a WHERE a::text LIKE '%' || $1 || '%'`, [secret]);
    expect(dump.rows[0].n).toBe(0);
    const list = await signetCli(stack, ['enrollment-secret', 'list', '--json'], viewer);
    expect(list.code).toBe(0);
    expect(list.json.secrets).toEqual([expect.objectContaining({ id, state: 'active', template: 'WebServer', note: 'e2e', createdBy: 'officer-es' })]);
    expect(list.stdout).not.toContain(secret);
    expect(list.stdout).not.toContain(rows.rows[0].secret_sha256);
  });

  it('ca-core answers the check with the binding; a wrong secret gets the one refusal', async () => {
    expect(await check(credential)).toEqual({
      ok: true,
      data: { id, names: [{ type: 'dns', value: 'www.example.com' }], template: 'WebServer', groups: [], oneTime: `enrollment-secret:${id}`, createdBy: 'officer-es', expiresAt: expect.any(String) },
    });
    const wrong = await check(`${id}:${'0'.repeat(64)}`);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', message: 'enrollment secret not accepted', details: { reason: 'invalid_enrollment_secret' } } });
  });

  it('revoked with the CLI, it is refused exactly like a wrong one; revoking again is a conflict (exit 6)', async () => {
    expect(await signetCli(stack, ['enrollment-secret', 'revoke', id], officer)).toMatchObject({ code: 0 });
    const wrong = await check(`${id}:${'0'.repeat(64)}`);
    expect(await check(credential)).toEqual(wrong);
    expect(await signetCli(stack, ['enrollment-secret', 'revoke', id], officer)).toMatchObject({ code: 6 });
  });

  it('the audit log has the creation and the revocation, with the officer, without the secret', async () => {
    const res = await stack.admin('GET', '/api/v1/audit?limit=1000', auditor);
    const mine = res.body.entries.filter((e: { action: string }) => e.action.startsWith('enrollment-secret.'));
    expect(mine.map((e: { action: string; actor: string; details: { id: string } }) => [e.action, e.actor, e.details.id])).toEqual([
      ['enrollment-secret.create', 'officer-es', id],
      ['enrollment-secret.revoke', 'officer-es', id],
    ]);
    expect(JSON.stringify(res.body)).not.toContain(credential.split(':')[1]);
  });

  it('no service logs the secret', () => {
    for (const s of stack.services.values()) expect(s.log()).not.toContain(credential.split(':')[1]);
  });
});
