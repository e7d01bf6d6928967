import { ROLES, type Role } from '@signet/contracts';
import { str, whole, type Verb } from '../command';
import { usage } from '../errors';
import { ExitCode } from '../exit-codes';
import { json, second, table } from '../output';

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  requestId: number | null;
  serial: string | null;
  before: string | null;
  after: string | null;
}

export const auditList: Verb = {
  name: 'audit list',
  summary: 'Audit log entries, oldest first (auditor)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    'after-id': { type: 'string', value: 'n', description: 'entries after this id (for paging)' },
    limit: { type: 'string', value: 'n', description: 'at most this many (1-1000, default 100)' },
    'request-id': { type: 'string', value: 'id', description: 'only this request' },
  },
  async run(ctx) {
    const q = new URLSearchParams();
    const after = whole(ctx.values, 'after-id', 0, Number.MAX_SAFE_INTEGER);
    const limit = whole(ctx.values, 'limit', 1, 1000);
    const rid = whole(ctx.values, 'request-id', 1, Number.MAX_SAFE_INTEGER);
    if (after) q.set('afterId', after);
    if (limit) q.set('limit', limit);
    if (rid) q.set('requestId', rid);
    const body = (await ctx.http.admin<{ entries: AuditEntry[] }>('/api/v1/audit', { query: q })).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(
        table(
          ['ID', 'At', 'Actor', 'Action', 'Request', 'Serial', 'Change'],
          body.entries.map((e) => [e.id, second(e.at), e.actor, e.action, e.requestId, e.serial, e.before || e.after ? `${e.before ?? ''} → ${e.after ?? ''}` : '']),
        ),
      );
    }
    return ExitCode.Ok;
  },
};

export const auditVerify: Verb = {
  name: 'audit verify',
  summary: "Check the audit log's hash chain (auditor)",
  args: '',
  positionals: { min: 0, max: 0 },
  options: {},
  help: 'Exit 0 when the chain is whole, 9 when it breaks (the first broken entry is named).',
  async run(ctx) {
    const r = (await ctx.http.admin<{ ok: boolean; checked: number; brokenAt: { id: number; reason: string } | null }>('/api/v1/audit/verify')).body;
    if (ctx.json) ctx.io.out(json(r));
    else if (r.ok) ctx.io.out(`audit log intact: ${r.checked} entries checked\n`);
    else ctx.io.out(`audit log BROKEN at entry ${r.brokenAt?.id}: ${r.brokenAt?.reason} (${r.checked} entries checked)\n`);
    return r.ok ? ExitCode.Ok : ExitCode.VerifyFailed;
  },
};

export const modules: Verb = {
  name: 'modules',
  summary: 'Policy and exit modules the CA has seen',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {},
  async run(ctx) {
    const body = (await ctx.http.admin<{ modules: { kind: string; name: string; version: string; eventMask: number; lastSeen: string; description: string }[] }>('/api/v1/modules')).body;
    if (ctx.json) ctx.io.out(json(body));
    else ctx.io.out(table(['Kind', 'Name', 'Version', 'Events', 'Last seen', 'Description'], body.modules.map((m) => [m.kind, m.name, m.version, `0x${m.eventMask.toString(16)}`, second(m.lastSeen), m.description])));
    return ExitCode.Ok;
  },
};

export const tokenCreate: Verb = {
  name: 'token create',
  summary: 'Create an admin token (ca-admin); it is shown once',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    name: { type: 'string', value: 'N', description: 'who the token is for (letters, digits, . _ @ -)' },
    roles: { type: 'string', value: 'r1,r2', description: `comma-separated: ${ROLES.join(', ')}` },
  },
  async run(ctx) {
    const name = str(ctx.values, 'name');
    const roles = (str(ctx.values, 'roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    if (!name) throw usage('--name is required');
    if (roles.length === 0) throw usage('--roles is required');
    const bad = roles.filter((r) => !isRole(r));
    if (bad.length) throw usage(`unknown role(s): ${bad.join(', ')} (roles: ${ROLES.join(', ')})`);
    const body = (await ctx.http.admin<{ name: string; roles: string[]; token: string }>('/api/v1/tokens', { method: 'POST', body: { name, roles } })).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(`${body.token}\n`);
      ctx.io.err(`token for ${body.name} (${body.roles.join(', ')}); it is shown only this once\n`);
    }
    return ExitCode.Ok;
  },
};

export const tokenRevoke: Verb = {
  name: 'token revoke',
  summary: 'Revoke an admin token (ca-admin); admin-api refuses it from then on',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    name: { type: 'string', value: 'N', description: 'the name the token was created with' },
  },
  async run(ctx) {
    const name = str(ctx.values, 'name');
    if (!name) throw usage('--name is required');
    const body = (await ctx.http.admin<{ name: string; revokedAt: string }>(`/api/v1/tokens/${encodeURIComponent(name)}`, { method: 'DELETE' })).body;
    if (ctx.json) ctx.io.out(json(body));
    else ctx.io.out(`revoked admin token ${body.name} (${second(body.revokedAt)})\n`);
    return ExitCode.Ok;
  },
};
