import { ErrorCode, SignetError, type Role } from '@signet/contracts';
import { expectError, startHarness, type Harness } from './harness';

/*
 * The enrollment-secret routes (ADR 0032) against a fake ca-core on the
 * real bus: officers create and revoke, every role lists, bad input is 400
 * before ca-core is asked, and the secret is answered once and logged never.
 */
describe('enrollment secrets', () => {
  let h: Harness;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    h = await startHarness();
    for (const role of ['ca-admin', 'officer', 'auditor', 'viewer'] as Role[]) tokens[role] = h.token(`only-${role}`, [role]);
  });
  afterAll(() => h.close());

  const asked = () => h.ca.calls.filter((c) => c.command !== 'adminAuthenticate');
  const body = { names: [{ type: 'dns', value: 'www.example.com' }], template: 'WebServer', ttlSeconds: 86_400, groups: ['web'] };

  it('POST as an officer: 201, the secret once, no-store, Location; ca-core gets the caller as actor and the binding', async () => {
    const before = asked().length;
    const res = await h.call('POST', '/api/v1/enrollment-secrets', { token: tokens.officer, body });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('location')).toBe('/api/v1/enrollment-secrets/es-00112233aabbccdd');
    const got = (await res.json()) as { secret: string };
    expect(got).toMatchObject({ ca: h.ca.name, id: 'es-00112233aabbccdd', state: 'active', secret: expect.stringMatching(/^es-00112233aabbccdd:[0-9a-f]{64}$/) });
    expect(asked().slice(before)).toEqual([
      { command: 'adminCreateEnrollmentSecret', message: { actor: { name: 'only-officer', roles: ['officer'] }, ...body } },
    ]);
    // The secret never reaches the log.
    expect(h.logger.lines.join('\n')).not.toContain(got.secret.split(':')[1]);
  });

  it.each([
    ['no names', { ...body, names: [] }, 'names'],
    ['a name of an unknown type', { ...body, names: [{ type: 'rfc822', value: 'x' }] }, 'names.0.type'],
    ['no template', { names: body.names }, 'template'],
    ['a lifetime beyond 90 days', { ...body, ttlSeconds: 90 * 86_400 + 1 }, 'ttlSeconds'],
    ['a lifetime that is not whole seconds', { ...body, ttlSeconds: 1.5 }, 'ttlSeconds'],
    ['an unknown field', { ...body, secret: 'mine' }, undefined],
    ['an actor in the body', { ...body, actor: { name: 'x', roles: ['officer'] } }, undefined],
    ['a control character in the template', { ...body, template: 'Web\u0007Server' }, 'template'],
  ])('POST with %s: 400 BAD_MESSAGE, ca-core never asked', async (_n, b, field) => {
    const before = asked().length;
    const err = await expectError(await h.call('POST', '/api/v1/enrollment-secrets', { token: tokens.officer, body: b }), 400, 'BAD_MESSAGE');
    if (field) expect(JSON.stringify(err.details)).toContain(field);
    expect(asked().slice(before)).toEqual([]);
  });

  it.each([['ca-admin'], ['auditor'], ['viewer']] as const)('as %s: POST and DELETE are 403 and ca-core is never asked; GET lists', async (role) => {
    const before = asked().length;
    const post = await expectError(await h.call('POST', '/api/v1/enrollment-secrets', { token: tokens[role], body }), 403, 'FORBIDDEN');
    expect(post.details).toMatchObject({ reason: 'MISSING_ROLE', required: ['officer'], held: [role] });
    await expectError(await h.call('DELETE', '/api/v1/enrollment-secrets/es-00112233aabbccdd', { token: tokens[role] }), 403, 'FORBIDDEN');
    expect(asked().slice(before)).toEqual([]);
    const res = await h.call('GET', '/api/v1/enrollment-secrets?state=active&limit=5', { token: tokens[role] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ca: h.ca.name, secrets: [expect.objectContaining({ id: 'es-00112233aabbccdd' })] });
    expect(h.ca.received('adminListEnrollmentSecrets').at(-1)).toEqual({ actor: { name: `only-${role}`, roles: [role] }, state: 'active', limit: 5 });
  });

  it('GET with a bad state or limit: 400 naming it', async () => {
    await expectError(await h.call('GET', '/api/v1/enrollment-secrets?state=lost', { token: tokens.viewer }), 400, 'BAD_MESSAGE');
    await expectError(await h.call('GET', '/api/v1/enrollment-secrets?limit=0', { token: tokens.viewer }), 400, 'BAD_MESSAGE');
  });

  it('DELETE as an officer revokes; a malformed id is 400; ca-core\'s NOT_FOUND and WRONG_STATE pass through', async () => {
    const res = await h.call('DELETE', '/api/v1/enrollment-secrets/es-00112233aabbccdd', { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ca: h.ca.name, id: 'es-00112233aabbccdd', state: 'revoked', revokedBy: 'only-officer' });
    await expectError(await h.call('DELETE', '/api/v1/enrollment-secrets/not-an-id', { token: tokens.officer }), 400, 'BAD_MESSAGE');
    h.ca.handlers.adminRevokeEnrollmentSecret = () => {
      throw new SignetError(ErrorCode.NotFound, 'no enrollment secret es-ffffffffffffffff', { id: 'es-ffffffffffffffff' });
    };
    await expectError(await h.call('DELETE', '/api/v1/enrollment-secrets/es-ffffffffffffffff', { token: tokens.officer }), 404, 'NOT_FOUND');
    h.ca.handlers.adminRevokeEnrollmentSecret = () => {
      throw new SignetError(ErrorCode.WrongState, 'enrollment secret es-ffffffffffffffff is used already', { id: 'es-ffffffffffffffff', state: 'used' });
    };
    await expectError(await h.call('DELETE', '/api/v1/enrollment-secrets/es-ffffffffffffffff', { token: tokens.officer }), 409, 'WRONG_STATE');
    delete h.ca.handlers.adminRevokeEnrollmentSecret;
  });
});
