import { DataSource } from 'typeorm';
import { AdminTokenEnvSchema, parseArgs, runAdminTokenCli } from './admin-token';
import { tokenSha256 } from './admin/tokens/admin-tokens';
import { AuditStore } from './audit/audit.store';
import { loadCaConfig } from './config/ca-config';
import { createTestDatabase, TEST_PASSPHRASE, type TestDatabase } from './testing/infra';

describe('admin-token bootstrap command', () => {
  describe('arguments', () => {
    it.each<[string, string[], unknown]>([
      ['ok/create', ['create', '--name', 'root', '--roles', 'ca-admin,officer'], { command: 'create', name: 'root', roles: ['ca-admin', 'officer'] }],
      ['ok/create with = and spaces in the list', ['create', '--name=root', '--roles=auditor, viewer'], { command: 'create', name: 'root', roles: ['auditor', 'viewer'] }],
      ['ok/revoke', ['revoke', '--name', 'root'], { command: 'revoke', name: 'root' }],
      ['ok/list', ['list'], { command: 'list' }],
      ['ok/help', ['--help'], { command: 'help' }],
    ])('%s', (_n, argv, expected) => expect(parseArgs(argv)).toEqual(expected));

    it.each<[string, string[], RegExp]>([
      ['fail/unknown command', ['make', '--name', 'x'], /unknown command "make"/],
      ['fail/no roles', ['create', '--name', 'x'], /--roles is required/],
      ['fail/no name', ['create', '--roles', 'officer'], /--name is required/],
      ['fail/unknown role', ['create', '--name', 'x', '--roles', 'officer,root'], /unknown role\(s\): root/],
      ['fail/empty role list', ['create', '--name', 'x', '--roles', ','], /at least one role/],
      ['fail/bad name', ['create', '--name', 'x y', '--roles', 'officer'], /--name: 1–128 characters/],
      ['fail/missing value', ['create', '--name'], /--name needs a value/],
      ['fail/repeated option', ['create', '--name', 'a', '--name', 'b', '--roles', 'viewer'], /given twice/],
      ['fail/unknown option', ['create', '--name', 'a', '--roles', 'viewer', '--admin'], /unknown argument "--admin"/],
      ['fail/option that does not apply', ['list', '--name', 'a'], /--name does not apply to list/],
    ])('%s', (_n, argv, message) => expect(() => parseArgs(argv)).toThrow(message));
  });

  it('reads the same variables with the same defaults as ca-core, without the passphrase', () => {
    const core = loadCaConfig({ SIGNET_CA_KEY_PASSPHRASE: TEST_PASSPHRASE });
    expect(AdminTokenEnvSchema.parse({})).toEqual({ SIGNET_CA_NAME: core.caName, SIGNET_DATABASE_URL: core.databaseUrl });
  });

  describe('against a fresh database (real PostgreSQL)', () => {
    let db: TestDatabase;
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runAdminTokenCli(argv, { SIGNET_DATABASE_URL: db.url, SIGNET_CA_NAME: 'boot-ca', ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out, err: err.join('\n') };
    };

    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('migrates an empty database, creates the token, prints only {"name","roles","token"} on stdout, exit 0', async () => {
      const r = await run(['create', '--name', 'first', '--roles', 'officer,ca-admin']);
      expect(r.code).toBe(0);
      expect(r.out).toHaveLength(1);
      const printed = JSON.parse(r.out[0]);
      expect(Object.keys(printed)).toEqual(['name', 'roles', 'token']);
      expect(printed).toEqual({ name: 'first', roles: ['ca-admin', 'officer'], token: expect.stringMatching(/^sgt_[A-Za-z0-9_-]{43}$/) });

      const ds = new DataSource({ type: 'postgres', url: db.url, logging: false });
      await ds.initialize();
      try {
        expect(await ds.query(`SELECT ca_name, name, token_sha256, roles, revoked_at FROM admin_token`)).toEqual([
          { ca_name: 'boot-ca', name: 'first', token_sha256: tokenSha256(printed.token), roles: ['ca-admin', 'officer'], revoked_at: null },
        ]);
        // Audited like every other admin action, in the CA's chain.
        const audit = new AuditStore(ds);
        expect((await audit.list('boot-ca', { afterId: 0, limit: 10 })).map((e) => [e.action, e.details])).toEqual([['admin-token.create', { name: 'first', roles: ['ca-admin', 'officer'] }]]);
        expect((await audit.verify('boot-ca')).ok).toBe(true);
      } finally {
        await ds.destroy();
      }
    });

    it('an existing name: exit 1 with a clear message and nothing on stdout', async () => {
      const r = await run(['create', '--name', 'first', '--roles', 'viewer']);
      expect(r).toEqual({ code: 1, out: [], err: 'admin-token: an admin token named "first" already exists for CA boot-ca' });
    });

    it('the same name under another CA is another token', async () => {
      expect((await run(['create', '--name', 'first', '--roles', 'viewer'], { SIGNET_CA_NAME: 'other-ca' })).code).toBe(0);
    });

    it('revoke and list', async () => {
      expect(await run(['revoke', '--name', 'first'])).toMatchObject({ code: 0, out: ['{"name":"first","revoked":true}'] });
      expect((await run(['revoke', '--name', 'first'])).code).toBe(1);
      const listed = JSON.parse((await run(['list'])).out[0]);
      expect(listed.tokens).toEqual([{ name: 'first', roles: ['ca-admin', 'officer'], createdBy: expect.stringMatching(/^admin-token-cli/), createdAt: expect.any(String), revokedAt: expect.any(String) }]);
      expect(JSON.stringify(listed)).not.toMatch(/sgt_/);
    });

    it.each<[string, string[], Record<string, string>, RegExp]>([
      ['bad arguments', ['create', '--name', 'x'], {}, /--roles is required[\s\S]*usage:/],
      ['no arguments', [], {}, /usage:/],
      ['a bad CA name', ['list'], { SIGNET_CA_NAME: 'Not_Valid' }, /SIGNET_CA_NAME: must match/],
      ['a bad database URL', ['list'], { SIGNET_DATABASE_URL: 'mysql://x' }, /SIGNET_DATABASE_URL: must be a postgres:\/\/ URL/],
    ])('exit 2 on %s, before touching the database', async (_n, argv, env, message) => {
      const r = await run(argv, env);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toMatch(message);
    });

    it('exit 1 when the database cannot be reached, without echoing the URL', async () => {
      const r = await run(['list'], { SIGNET_DATABASE_URL: 'postgres://someone:secret-pw@127.0.0.1:1/nowhere' });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^admin-token: failed: /);
      expect(r.err).not.toContain('secret-pw');
    });
  });
});
