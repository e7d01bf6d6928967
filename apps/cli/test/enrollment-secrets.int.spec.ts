import { ScratchDir } from '@signet/testing';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/cli';
import { systemIo } from '../src/io';
import { type Io } from '../src/output';
import { FakeServer } from './fake-server';

/* `signet enrollment-secret …` against an HTTP stand-in for admin-api. */
const scratch = new ScratchDir('signet-cli-es-');
const ID = 'es-0123456789abcdef';
const SECRET = `${ID}:${'ab'.repeat(32)}`;
const record = (extra: Record<string, unknown> = {}) => ({
  ca: 'ca1',
  id: ID,
  state: 'active',
  names: [{ type: 'dns', value: 'www.example.com' }],
  template: 'WebServer',
  groups: [],
  note: null,
  createdBy: 'olivia',
  createdAt: '2027-01-01T00:00:00.000Z',
  expiresAt: '2027-01-08T00:00:00.000Z',
  usedAt: null,
  usedByRequestId: null,
  revokedAt: null,
  revokedBy: null,
  ...extra,
});

describe('signet enrollment-secret', () => {
  const admin = new FakeServer();
  let out: string[];
  let err: string[];
  beforeAll(() => admin.start());
  afterAll(async () => {
    await admin.stop();
    scratch.remove();
  });
  beforeEach(() => {
    admin.seen.length = 0;
    out = [];
    err = [];
  });
  function cli(argv: string[]): Promise<number> {
    const io: Io = { ...systemIo(), out: (t) => out.push(t), err: (t) => err.push(t), env: { HOME: scratch.dir, SIGNET_ADMIN_URL: admin.url, SIGNET_TOKEN: 'officer-token' } };
    return run(argv, io);
  }

  it('create sends the binding (typed names, ttl in seconds) and prints the secret alone on stdout, once', async () => {
    admin.on('POST /api/v1/enrollment-secrets', { status: 201, body: { ...record(), secret: SECRET } });
    const code = await cli(['enrollment-secret', 'create', '--name', 'www.example.com', '--name', 'ip:192.0.2.7', '--template', 'WebServer', '--ttl', '2d', '--group', 'web', '--subject', 'CN=www.example.com,O=Example', '--note', 'new web server']);
    expect(code).toBe(0);
    expect(admin.seen[0].headers.authorization).toBe('Bearer officer-token');
    expect(admin.seen[0].body).toEqual({
      names: [{ type: 'dns', value: 'www.example.com' }, { type: 'ip', value: '192.0.2.7' }],
      template: 'WebServer',
      ttlSeconds: 172_800,
      groups: ['web'],
      subject: [{ type: 'CN', value: 'www.example.com' }, { type: 'O', value: 'Example' }],
      note: 'new web server',
    });
    expect(out.join('')).toBe(`${SECRET}\n`);
    expect(err.join('')).toContain(`enrollment secret ${ID}`);
    expect(err.join('')).toContain('shown only this once');
    expect(err.join('')).not.toContain(SECRET);
  });

  it('create --secret-file writes it with mode 0600 and shows it nowhere', async () => {
    admin.on('POST /api/v1/enrollment-secrets', { status: 201, body: { ...record(), secret: SECRET } });
    const file = join(scratch.dir, 'es.secret');
    expect(await cli(['enrollment-secret', 'create', '--name', 'www.example.com', '--template', 'WebServer', '--secret-file', file, '--json'])).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`${SECRET}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(out.join('') + err.join('')).not.toContain(SECRET.split(':')[1]);
    expect(JSON.parse(out.join(''))).toMatchObject({ id: ID, secretFile: file });
    expect(admin.seen[0].body).not.toHaveProperty('ttlSeconds');
  });

  it('list shows a table, never a secret; filters pass as query parameters', async () => {
    admin.on('GET /api/v1/enrollment-secrets', { status: 200, body: { ca: 'ca1', secrets: [record({ state: 'used', usedByRequestId: 42, usedAt: '2027-01-02T00:00:00.000Z' })] } });
    expect(await cli(['enrollment-secret', 'list', '--state', 'used', '--limit', '5'])).toBe(0);
    expect(admin.seen[0].query.get('state')).toBe('used');
    expect(admin.seen[0].query.get('limit')).toBe('5');
    const text = out.join('');
    expect(text).toMatch(/^ID\s+State\s+Template/);
    expect(text).toMatch(new RegExp(`${ID}\\s+used\\s+WebServer\\s+www.example.com\\s+2027-01-08 00:00:00\\s+olivia\\s+42`));
  });

  it('revoke <id> sends DELETE; a refusal keeps the CLI exit codes (403 → 7, 404 → 5, 409 → 6)', async () => {
    admin.on(`DELETE /api/v1/enrollment-secrets/${ID}`, { status: 200, body: record({ state: 'revoked', revokedAt: '2027-01-03T00:00:00.000Z', revokedBy: 'olivia' }) });
    expect(await cli(['enrollment-secret', 'revoke', ID])).toBe(0);
    expect(out.join('')).toMatch(/Revoked:\s+es-0123456789abcdef/);
    for (const [status, code, exit] of [
      [403, 'FORBIDDEN', 7],
      [404, 'NOT_FOUND', 5],
      [409, 'WRONG_STATE', 6],
    ] as const) {
      admin.on(`DELETE /api/v1/enrollment-secrets/${ID}`, { status, body: { code, message: 'no' } });
      expect(await cli(['enrollment-secret', 'revoke', ID])).toBe(exit);
    }
  });
});
