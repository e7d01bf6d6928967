import { generateAssertionKeyPair } from '@signet/assertions';
import { ROLES, type Role } from '@signet/contracts';
import { tokenSha256 } from '../src/auth/bearer';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi.document';
import { expectError, startHarness, TestClock, type Harness } from './harness';

/** Sample values for path parameters, so every documented route can be called. */
const SAMPLE: Record<string, string> = { id: '7', serial: '0a0b', oid: '1.2.3.4' };

interface Route {
  method: string;
  path: string;
  access: { kind: string; roles?: readonly string[] };
}

const ROUTES: Route[] = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({
    method: method.toUpperCase(),
    path: path.replace(/\{(\w+)\}/g, (_m, p: string) => SAMPLE[p]),
    access: op!['x-signet-access'],
  })),
);
const GUARDED = ROUTES.filter((r) => r.access.kind !== 'public');

describe('authentication', () => {
  const clock = new TestClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_CACHE_MS: '500' }, { clock });
  });
  afterAll(() => h.close());

  it.each(GUARDED.map((r) => [`${r.method} ${r.path}`, r] as const))('401 without a token, with WWW-Authenticate: Bearer — %s', async (_n, r) => {
    const res = await h.call(r.method, r.path);
    await expectError(res, 401, 'UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="signet-admin"');
  });

  it.each([
    ['an unknown token', 'Bearer nobody-knows-me'],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer '],
    ['a token with a space', 'Bearer a b'],
    ['an overlong token', `Bearer ${'a'.repeat(600)}`],
  ])('401 invalid_token for %s, and the token never reaches the log', async (_n, header) => {
    const res = await h.call('GET', '/api/v1/me', { headers: { authorization: header } });
    await expectError(res, 401, 'UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="signet-admin", error="invalid_token"');
    expect(h.logger.lines.join('\n')).not.toContain('nobody-knows-me');
  });

  it('sends ca-core only the SHA-256 of the token, and caches a positive answer by hash', async () => {
    const token = h.token('alice', ['viewer']);
    const before = h.ca.received('adminAuthenticate').length;
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/api/v1/me', { token })).status).toBe(200);
    const asked = h.ca.received('adminAuthenticate').slice(before);
    expect(asked).toEqual([{ tokenSha256: tokenSha256(token) }]);
    expect(JSON.stringify(h.ca.calls)).not.toContain(token);
  });

  it('asks again once the cache entry expires (on the test clock), which bounds anything a revocation notice did not reach', async () => {
    const token = h.token('bob', ['viewer']);
    expect((await h.call('GET', '/api/v1/me', { token })).status).toBe(200);
    h.ca.principals.delete(tokenSha256(token));
    clock.advance(499);
    expect((await h.call('GET', '/api/v1/me', { token })).status).toBe(200);
    clock.advance(1);
    await expectError(await h.call('GET', '/api/v1/me', { token }), 401, 'UNAUTHORIZED');
  });

  it('never caches a refusal: a token created after a failed try works at once', async () => {
    const token = 'created-late-token';
    await expectError(await h.call('GET', '/api/v1/me', { token }), 401, 'UNAUTHORIZED');
    h.ca.principals.set(tokenSha256(token), { name: 'late', roles: ['viewer'] });
    expect((await h.call('GET', '/api/v1/me', { token })).status).toBe(200);
  });

  it('GET /api/v1/me answers who the caller is', async () => {
    const token = h.token('carol', ['officer', 'viewer']);
    const res = await h.call('GET', '/api/v1/me', { token });
    expect(await res.json()).toEqual({ ca: h.ca.name, name: 'carol', roles: ['officer', 'viewer'], roleSeparation: false, mayManage: true });
  });

  it('logs the actor of each call in the access log line', async () => {
    const token = h.token('dave', ['viewer']);
    await h.call('GET', '/api/v1/requests/7', { token });
    expect(h.logger.lines.some((l) => /GET \/api\/v1\/requests\/7 200 .* actor="dave" requestId=7/.test(l))).toBe(true);
  });
});

describe('roles: every documented route, called as each single role', () => {
  let h: Harness;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    h = await startHarness();
    for (const role of ROLES) tokens[role] = h.token(`only-${role}`, [role]);
  });
  afterAll(() => h.close());

  const cases = GUARDED.flatMap((r) => ROLES.map((role) => [`${r.method} ${r.path} as ${role}`, r, role] as const));
  it.each(cases)('%s', async (_n, r, role) => {
    const res = await h.call(r.method, r.path, { token: tokens[role], body: r.method === 'GET' ? undefined : {} });
    const allowed = r.access.roles!.includes(role);
    if (allowed) {
      // Past the guard: the route ran (it may still refuse the empty body).
      expect({ status: res.status }).not.toEqual({ status: 403 });
      expect(res.status).not.toBe(401);
    } else {
      const body = await expectError(res, 403, 'FORBIDDEN');
      expect(body.details).toMatchObject({ reason: 'MISSING_ROLE', required: r.access.roles, held: [role] });
    }
  });

  it('a viewer cannot resubmit, deny or revoke, and ca-core is never asked', async () => {
    const before = h.ca.calls.length;
    for (const [method, path] of [
      ['POST', '/api/v1/requests/7/resubmit'],
      ['POST', '/api/v1/requests/7/deny'],
      ['POST', '/api/v1/certificates/0a0b/revoke'],
    ]) {
      await expectError(await h.call(method, path, { token: tokens.viewer, body: {} }), 403, 'FORBIDDEN');
    }
    expect(h.ca.calls.slice(before).filter((c) => c.command !== 'adminAuthenticate')).toEqual([]);
  });
});

describe('role separation (SIGNET_ROLE_SEPARATION=true)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_ROLE_SEPARATION: 'true' });
  });
  afterAll(() => h.close());

  it('refuses every management call to a caller holding officer and ca-admin, with ROLE_SEPARATION', async () => {
    const token = h.token('both', ['officer', 'ca-admin']);
    for (const r of GUARDED.filter((x) => x.access.kind === 'manage' && x.access.roles!.some((role) => role === 'officer' || role === 'ca-admin'))) {
      const body = await expectError(await h.call(r.method, r.path, { token, body: r.method === 'GET' ? undefined : {} }), 403, 'FORBIDDEN');
      expect(body.details).toMatchObject({ reason: 'ROLE_SEPARATION' });
    }
    expect(h.ca.received('adminResubmit')).toEqual([]);
  });

  it('still lets that caller read, and says it may not manage', async () => {
    const token = h.token('both2', ['officer', 'ca-admin']);
    expect((await h.call('GET', '/api/v1/requests/7', { token })).status).toBe(200);
    expect(await (await h.call('GET', '/api/v1/me', { token })).json()).toMatchObject({ roleSeparation: true, mayManage: false });
  });

  it('lets a single-role officer (also holding viewer) manage', async () => {
    const token = h.token('solo', ['officer', 'viewer']);
    const res = await h.call('POST', '/api/v1/requests/7/resubmit', { token });
    expect(res.status).toBe(200);
  });
});

describe('ca-core does not answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, { startCa: false });
  });
  afterAll(() => h.close());

  it('503 CA_UNAVAILABLE with Retry-After (not 401): the token may be fine', async () => {
    const res = await h.call('GET', '/api/v1/me', { token: 'whatever' });
    const body = await expectError(res, 503, 'CA_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(body.message).not.toMatch(/admin\.auth/);
  });
});

describe('a CA that does not trust admin-api\'s assertion key (ADR 0028)', () => {
  let h: Harness;
  beforeAll(async () => {
    // admin-api signs with a key whose public half the (fake) ca-core does not list.
    h = await startHarness({ SIGNET_ADMIN_ASSERTION_KEY: generateAssertionKeyPair().privateKeyPem, SIGNET_AUTH_FAILURE_LIMIT: '1' });
  });
  afterAll(() => h.close());

  it('answers 500 and says why in its log, never blaming the caller\'s token or counting it as a failed authentication', async () => {
    const token = h.token('olivia', ['officer']);
    for (let i = 0; i < 2; i++) {
      const body = await expectError(await h.call('GET', '/api/v1/me', { token }), 500, 'INTERNAL');
      expect(JSON.stringify(body)).not.toMatch(/assertion|unknown-key/);
    }
    expect(h.logger.lines.join('\n')).toMatch(/ca-core refused admin-api's admin assertion \(unknown-key\): is this SIGNET_ADMIN_ASSERTION_KEY's public half in ca-core's SIGNET_ADMIN_ASSERTION_KEYS/);
    expect(h.ca.received('adminAuthenticate')).toEqual([]);
  });
});
