import { ENROLLMENT_SECRET_ID_PATTERN, ENROLLMENT_SECRET_STATES, ENROLLMENT_SECRET_TTL, SAN_TYPES, type EnrollmentSecretRecord, type ProvenName, type SanType } from '@signet/contracts';
import { isIP } from 'node:net';
import { list, str, whole, type Verb } from '../command';
import { usage } from '../errors';
import { ExitCode } from '../exit-codes';
import { json, keyValues, second, table } from '../output';

/*
 * Enrollment secrets (ADR 0032): a certificate manager creates a one-time
 * secret bound to names and a template and hands it to the enrollee, who
 * sends it as EST Basic credentials or as the SCEP challengePassword.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `7d`, `12h`, `30m`, `3600s` or plain seconds → seconds, within the contracts' bounds. */
export function ttlSeconds(raw: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(raw.trim());
  if (!m) throw usage(`--ttl "${raw}": a number with s, m, h or d (e.g. 7d, 12h)`);
  const seconds = Number(m[1]) * UNITS[m[2] || 's'];
  const { minSeconds, maxSeconds } = ENROLLMENT_SECRET_TTL;
  if (seconds < minSeconds || seconds > maxSeconds) throw usage(`--ttl "${raw}": from ${minSeconds / 60} minute to ${maxSeconds / 86_400} days`);
  return seconds;
}

const isSanType = (t: string): t is SanType => (SAN_TYPES as readonly string[]).includes(t);

/** `dns:a.example.com`, `ip:192.0.2.1`, `email:a@example.com`, `upn:…`, `uri:…`; without a type: an IP address, an email (with @), else a DNS name. */
export function provenName(raw: string): ProvenName {
  const at = raw.indexOf(':');
  const prefix = at > 0 ? raw.slice(0, at).toLowerCase() : '';
  if (isSanType(prefix) && !isIP(raw)) {
    const value = raw.slice(at + 1);
    if (!value) throw usage(`--name "${raw}": no value after "${prefix}:"`);
    return { type: prefix, value };
  }
  if (isIP(raw)) return { type: 'ip', value: raw };
  return raw.includes('@') ? { type: 'email', value: raw } : { type: 'dns', value: raw };
}

/** `CN=Alice,O=Example` → RDNs, most significant as written; values may not hold commas. */
export function subjectRdns(raw: string): { type: string; value: string }[] {
  return raw.split(',').map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw usage(`--subject "${raw}": write it as TYPE=value[,TYPE=value…], e.g. CN=Alice,O=Example`);
    return { type: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
  });
}

export const enrollmentSecretCreate: Verb = {
  name: 'enrollment-secret create',
  summary: 'Create a one-time enrollment secret bound to names and a template (officer); it is shown once',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    name: { type: 'string', multiple: true, value: '[type:]name', description: `a name it may enroll for (repeatable); types ${SAN_TYPES.join(', ')}; default: IP address, email (with @) or DNS name` },
    template: { type: 'string', value: 'T', description: 'the one template it enrolls under' },
    ttl: { type: 'string', value: 'time', description: `how long it may be used: 7d (default), 12h, 30m…, at most ${ENROLLMENT_SECRET_TTL.maxSeconds / 86_400}d` },
    group: { type: 'string', multiple: true, value: 'G', description: 'a group the enrollee is in for the policy (repeatable)' },
    subject: { type: 'string', value: 'CN=…,O=…', description: 'subject attributes you vouch for (for templates that build the subject from the identity)' },
    note: { type: 'string', value: 'text', description: 'who or what it is for, shown in the list' },
    'secret-file': { type: 'string', value: 'file', description: 'write the secret here (mode 0600) instead of showing it' },
  },
  help: `The secret is printed once as <id>:<secret> (only its hash is kept). The enrollee uses it as
  EST:  curl -u "$(cat secret)" … /.well-known/est/simpleenroll   (user-id = the id, password = the secret)
  SCEP: the challengePassword, the whole <id>:<secret> string
It works for one request; "signet enrollment-secret revoke <id>" withdraws it before then.`,
  async run(ctx) {
    const names = list(ctx.values, 'name').map(provenName);
    const template = str(ctx.values, 'template');
    if (names.length === 0) throw usage('--name is required (at least one)');
    if (!template) throw usage('--template is required');
    const rawTtl = str(ctx.values, 'ttl');
    const rawSubject = str(ctx.values, 'subject');
    const note = str(ctx.values, 'note');
    const groups = list(ctx.values, 'group');
    const secretFile = str(ctx.values, 'secret-file');
    const body = {
      names,
      template,
      ...(rawTtl ? { ttlSeconds: ttlSeconds(rawTtl) } : {}),
      ...(groups.length ? { groups } : {}),
      ...(rawSubject ? { subject: subjectRdns(rawSubject) } : {}),
      ...(note ? { note } : {}),
    };
    const created = (await ctx.http.admin<EnrollmentSecretRecord & { secret: string }>('/api/v1/enrollment-secrets', { method: 'POST', body })).body;
    if (secretFile) ctx.io.writeFile(secretFile, `${created.secret}\n`, 0o600);
    if (ctx.json) ctx.io.out(json(secretFile ? { ...created, secret: undefined, secretFile } : created));
    else {
      if (!secretFile) ctx.io.out(`${created.secret}\n`);
      ctx.io.err(
        `enrollment secret ${created.id} for ${created.names.map((n) => `${n.type}:${n.value}`).join(', ')} under ${created.template}, until ${second(created.expiresAt)} UTC; ` +
          (secretFile ? `written to ${secretFile}\n` : 'it is shown only this once\n'),
      );
    }
    return ExitCode.Ok;
  },
};

export const enrollmentSecretList: Verb = {
  name: 'enrollment-secret list',
  summary: 'Enrollment secrets, newest first: bindings and states, never the secrets',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    state: { type: 'string', value: 'state', description: `only ${ENROLLMENT_SECRET_STATES.join(', ')}` },
    limit: { type: 'string', value: 'n', description: 'at most this many (1-1000, default 100)' },
  },
  async run(ctx) {
    const q = new URLSearchParams();
    const state = str(ctx.values, 'state');
    if (state !== undefined && !(ENROLLMENT_SECRET_STATES as readonly string[]).includes(state)) throw usage(`--state: one of ${ENROLLMENT_SECRET_STATES.join(', ')}`);
    const limit = whole(ctx.values, 'limit', 1, 1000);
    if (state) q.set('state', state);
    if (limit) q.set('limit', limit);
    const body = (await ctx.http.admin<{ secrets: EnrollmentSecretRecord[] }>('/api/v1/enrollment-secrets', { query: q })).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(
        table(
          ['ID', 'State', 'Template', 'Names', 'Expires', 'Created by', 'Request', 'Note'],
          body.secrets.map((s) => [s.id, s.state, s.template, s.names.map((n) => n.value).join(' '), second(s.expiresAt), s.createdBy, s.usedByRequestId, s.note]),
        ),
      );
    }
    return ExitCode.Ok;
  },
};

export const enrollmentSecretRevoke: Verb = {
  name: 'enrollment-secret revoke',
  summary: 'Revoke an unused enrollment secret (officer); it is refused from then on',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Exit 5 when there is no such secret, 6 when it was used or revoked already.',
  async run(ctx) {
    const id = ctx.positionals[0];
    if (!ENROLLMENT_SECRET_ID_PATTERN.test(id)) {
      // Never echo what may be a whole credential pasted by mistake.
      const shown = id.includes(':') ? `${id.slice(0, id.indexOf(':'))}:…` : id.slice(0, 64);
      throw usage(`"${shown}" is not an enrollment secret id (es- and 16 hex digits, the part before the colon)`);
    }
    const body = (await ctx.http.admin<EnrollmentSecretRecord>(`/api/v1/enrollment-secrets/${id}`, { method: 'DELETE' })).body;
    if (ctx.json) ctx.io.out(json(body));
    else ctx.io.out(keyValues([['Revoked', body.id], ['At', second(body.revokedAt ?? '')], ['Names', body.names.map((n) => n.value).join(' ')], ['Template', body.template]]));
    return ExitCode.Ok;
  },
};
