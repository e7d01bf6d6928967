import { AdminTokenRevoked } from '@signet/contracts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signetCli } from './support/cli';
import { bearer } from './support/enrollment';
import { opensslCsr, run, writeTemp, x509Text } from './support/openssl';
import { ROOT, waitFor } from './support/processes';
import { Stack } from './support/stack';

// Step 6 of the flow (ICertAdmin / ICertView) with all five services, real
// NATS and PostgreSQL: admin-api authenticates and role-checks, ca-core acts.
const stack = new Stack();
const t: Record<'officer1' | 'officer2' | 'viewer' | 'auditor' | 'admin' | 'dual', string> = {} as never;

beforeAll(async () => {
  await stack.start();
  await stack.adminReady();
  t.officer1 = stack.token('officer-1', ['officer']).token;
  t.officer2 = stack.token('officer-2', ['officer']).token;
  t.viewer = stack.token('viewer-1', ['viewer']).token;
  t.auditor = stack.token('auditor-1', ['auditor']).token;
  t.admin = stack.token('admin-1', ['ca-admin']).token;
  t.dual = stack.token('dual-1', ['officer', 'ca-admin']).token;
}, 180_000);
afterAll(() => stack.close(), 60_000);

/** What every step below did, to find again in the audit log (section 6). */
const done: { action: string; actor: string; requestId?: number; serial?: string }[] = [];

/** The retrieval secret of each request pendingRequest made, by id: what its enrollee holds. */
const secrets = new Map<number, string>();

/** A code-signing request: the shipped policy pends it for a certificate manager. */
async function pendingRequest(cn = 'Release Signing'): Promise<number> {
  const res = await stack.submit({ csr: opensslCsr({ key: 'ec-p256', subject: `/CN=${cn}/O=Example Corp` }), attributes: { CertificateTemplate: 'CodeSigning' } });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ disposition: 'pending' });
  secrets.set(res.body.requestId, res.body.retrievalSecret);
  return res.body.requestId;
}

/**
 * A web server certificate. HTTP enrollees are anonymous until the
 * intermediary authenticates them, and the shipped WebServer holds an
 * anonymous request for a certificate manager (ADR 0030): an officer approves it.
 */
async function issuedCertificate(host: string): Promise<{ requestId: number; serial: string }> {
  const res = await stack.submit({ csr: opensslCsr({ subject: `/CN=${host}`, sans: [`DNS:${host}`] }), attributes: { CertificateTemplate: 'WebServer' } });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'enroll.anonymous' } });
  const approved = await admin('POST', `/api/v1/requests/${res.body.requestId}/resubmit`, t.officer1);
  expect(approved.body).toMatchObject({ disposition: 'issued' });
  return { requestId: res.body.requestId, serial: approved.body.serial };
}

const admin = (method: string, path: string, token?: string, body?: unknown) => stack.admin(method, path, token, body);

describe('1. resubmit and deny', () => {
  it('pending → resubmit → issued, and the enrollee retrieves the certificate with its retrieval secret (no one else can)', async () => {
    const id = await pendingRequest();
    const r = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ca: stack.ca, requestId: id, disposition: 'issued', dispositionCode: 3, serial: expect.stringMatching(/^[0-9a-f]+$/) });
    expect(r.body).not.toHaveProperty('retrievalSecret');
    expect(x509Text(r.body.certificate)).toMatch(/X509v3 Extended Key Usage:\s*\n\s*Code Signing\n/);
    expect(await stack.retrieve(id)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const retrieved = await stack.retrieve(id, secrets.get(id));
    expect(retrieved.body).toMatchObject({ disposition: 'issued', serial: r.body.serial, certificate: r.body.certificate });
    done.push({ action: 'request.resubmit', actor: 'officer-1', requestId: id });
  });

  it('pending → deny → denied → resubmit → issued', async () => {
    const id = await pendingRequest('Denied First');
    const denied = await admin('POST', `/api/v1/requests/${id}/deny`, t.officer1, { reason: 'needs a second look' });
    expect(denied).toMatchObject({ status: 200, body: { requestId: id, disposition: 'denied', dispositionCode: 2 } });
    // The enrollee sees the officer's decision; a stranger sees nothing of it (not even that the request exists).
    expect((await stack.retrieve(id, secrets.get(id))).body).toMatchObject({ disposition: 'denied', message: 'Denied by officer-1: needs a second look' });
    const stranger = await stack.retrieve(id);
    expect(stranger).toEqual({ status: 404, body: { code: 'NOT_FOUND', message: `request ${id} not found`, details: { requestId: id } } });
    // Administrators read any request through admin-api, as before.
    expect((await admin('GET', `/api/v1/requests/${id}`, t.viewer)).body).toMatchObject({ disposition: 'denied' });
    const issued = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer2);
    expect(issued.body).toMatchObject({ requestId: id, disposition: 'issued' });
    done.push({ action: 'request.admin-deny', actor: 'officer-1', requestId: id }, { action: 'request.resubmit', actor: 'officer-2', requestId: id });
  });

  it('failed is final: an officer edit the CA refuses to sign fails the request, and resubmit is 409', async () => {
    // A keyUsage with no bit set narrows the template's (ADR 0023), so the policy lets it
    // through; the CA's lint refuses it (RFC 5280 4.2.1.3) and signs nothing.
    const id = await pendingRequest('Narrowed To Nothing');
    const edit = await admin('PUT', `/api/v1/requests/${id}/extensions/2.5.29.15`, t.officer1, { critical: true, der: 'AwEA' });
    expect(edit.status).toBe(200);
    const failed = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1);
    expect(failed.body).toMatchObject({ requestId: id, disposition: 'failed' });
    expect(failed.body.message).toMatch(/keyUsage: no usage is set \(RFC 5280 4\.2\.1\.3\)/);
    const again = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1);
    expect(again).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
    expect((await stack.db.query('SELECT count(*)::int AS n FROM certificate WHERE request_id = $1', [id])).rows[0].n).toBe(0);
  });
});

describe('2. edit a pending request, then resubmit', () => {
  it('the issued certificate carries the changed attribute and the admin extension; the same edits on an issued request are 409', async () => {
    // The enrollee proved who it is with an enrollment token naming alice@example.com (bound to no
    // template): the officer may move its request to ClientAuth, which admits token holders and builds
    // the names from what the token proved (ADR 0030). An anonymous request could not be moved there.
    const token = await stack.enrollmentToken({ sub: 'alice', sans: ['alice@example.com'] });
    const res = await stack.submit({ csr: opensslCsr({ key: 'ec-p256', subject: '/CN=Edited Before Approval/O=Example Corp' }), attributes: { CertificateTemplate: 'CodeSigning' } }, bearer(token));
    expect(res.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'disposition.approval' } });
    const id: number = res.body.requestId;
    // The officer moves the request to another template and narrows its EKU: clientAuth, made critical.
    const attrs = await admin('PATCH', `/api/v1/requests/${id}/attributes`, t.officer1, { CertificateTemplate: 'ClientAuth', Ticket: 'OPS-4711' });
    expect(attrs.status).toBe(200);
    expect(attrs.body.attributes).toEqual(expect.arrayContaining([expect.objectContaining({ value: 'ClientAuth', origin: 'admin' }), expect.objectContaining({ value: 'OPS-4711', origin: 'admin' })]));
    const ext = await admin('PUT', `/api/v1/requests/${id}/extensions/2.5.29.37`, t.officer1, { critical: true, der: 'MAoGCCsGAQUFBwMC' });
    expect(ext.status).toBe(200);
    expect(ext.body.extensions).toEqual(expect.arrayContaining([expect.objectContaining({ oid: '2.5.29.37', origin: 'admin', critical: true })]));

    const issued = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1);
    expect(issued.body).toMatchObject({ disposition: 'issued' });
    const text = x509Text(issued.body.certificate);
    expect(text).toMatch(/X509v3 Extended Key Usage: critical\s*\n\s*TLS Web Client Authentication\n/);
    expect(text).not.toMatch(/Code Signing/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*email:alice@example\.com\n/);

    const lateAttrs = await admin('PATCH', `/api/v1/requests/${id}/attributes`, t.officer1, { Ticket: 'OPS-4712' });
    expect(lateAttrs).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
    const lateExt = await admin('PUT', `/api/v1/requests/${id}/extensions/1.3.6.1.4.1.55555.1.1`, t.officer1, { value: { type: 'string', value: 'too late' } });
    expect(lateExt).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
    done.push({ action: 'request.set-attributes', actor: 'officer-1', requestId: id }, { action: 'request.set-extension', actor: 'officer-1', requestId: id });
  });

  it('an extension the template does not list in adminExtensions denies the request, naming it (ADR 0023)', async () => {
    const id = await pendingRequest('Private Extension');
    const ext = await admin('PUT', `/api/v1/requests/${id}/extensions/1.3.6.1.4.1.55555.1.1`, t.officer1, { value: { type: 'string', value: 'signet-e2e-ext-value' } });
    expect(ext.status).toBe(200);
    const denied = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1);
    expect(denied.body).toMatchObject({
      disposition: 'denied',
      decidedBy: { rule: 'extension.admin', field: 'extensions.1.3.6.1.4.1.55555.1.1' },
      message: "template CodeSigning does not let an administrator add extension 1.3.6.1.4.1.55555.1.1 (it is not in the template's adminExtensions)",
    });
  });
});

describe('3. two officers resubmit the same request at the same moment', () => {
  it('exactly one issuance; the other officer gets 409', async () => {
    const id = await pendingRequest('Raced Request');
    const [a, b] = await Promise.all([admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer1), admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer2)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({ code: 'WRONG_STATE' });
    expect((a.status === 200 ? a : b).body).toMatchObject({ disposition: 'issued' });
    expect((await stack.db.query('SELECT count(*)::int AS n FROM certificate WHERE request_id = $1', [id])).rows[0].n).toBe(1);
  });
});

describe('4. revoke, re-revoke, release', () => {
  it('status reflects each step; releasing a revocation that is not a hold is 409', async () => {
    const { serial } = await issuedCertificate('hold.example.com');
    const status = async () => (await admin('GET', `/api/v1/certificates/${serial}/status`, t.viewer)).body;
    expect(await status()).toMatchObject({ serial, status: 'valid', caDisposition: 3 });

    const hold = await admin('POST', `/api/v1/certificates/${serial.toUpperCase()}/revoke`, t.officer1, { reason: 'certificateHold', effectiveAt: '2026-06-01T00:00:00Z' });
    expect(hold).toMatchObject({ status: 200, body: { serial, status: 'revoked', caDisposition: 2, reason: 6, reasonName: 'certificateHold' } });
    expect(await status()).toMatchObject({ status: 'revoked', reason: 6 });

    const released = await admin('POST', `/api/v1/certificates/${serial}/release`, t.officer1);
    expect(released).toMatchObject({ status: 200, body: { status: 'valid', caDisposition: 3 } });
    expect(await status()).toMatchObject({ status: 'valid' });

    await admin('POST', `/api/v1/certificates/${serial}/revoke`, t.officer1, { reason: 6 });
    const rerevoked = await admin('POST', `/api/v1/certificates/${serial}/revoke`, t.officer2, { reason: 'keyCompromise', invalidityDate: '2026-05-01T00:00:00Z' });
    expect(rerevoked.body).toMatchObject({ status: 'revoked', reason: 1, invalidityDate: '2026-05-01T00:00:00.000Z' });
    expect(await status()).toMatchObject({ status: 'revoked', reason: 1, reasonName: 'keyCompromise' });

    const refused = await admin('POST', `/api/v1/certificates/${serial}/release`, t.officer1);
    expect(refused).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
    expect(await status()).toMatchObject({ status: 'revoked', reason: 1 });
    done.push(
      { action: 'certificate.revoke', actor: 'officer-1', serial },
      { action: 'certificate.release', actor: 'officer-1', serial },
      { action: 'certificate.revoke', actor: 'officer-2', serial },
    );
  });

  it('the view finds it under the revoked preset, and the export carries it', async () => {
    const view = await admin('GET', `/api/v1/view?preset=revoked&filter=${encodeURIComponent('Subject prefix CN=hold')}&count=true`, t.viewer);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ total: 1, rows: [{ Disposition: 'revoked', RevokedReason: 1 }] });
    const csv = await fetch(`${stack.adminUrl}/api/v1/view/export?format=csv&preset=revoked`, { headers: { authorization: `Bearer ${t.viewer}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toMatch(/\r\n\d+,revoked,.*CN=hold\.example\.com/);
  });
});

describe('5. authentication and roles', () => {
  it('a viewer cannot resubmit, deny or revoke (403), and ca-core is never asked', async () => {
    const id = await pendingRequest('Viewer Tries');
    const { serial } = await issuedCertificate('viewer.example.com');
    for (const [method, path] of [
      ['POST', `/api/v1/requests/${id}/resubmit`],
      ['POST', `/api/v1/requests/${id}/deny`],
      ['POST', `/api/v1/certificates/${serial}/revoke`],
    ]) {
      expect(await admin(method, path, t.viewer)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: { reason: 'MISSING_ROLE' } } });
    }
    expect((await admin('GET', `/api/v1/requests/${id}`, t.viewer)).body).toMatchObject({ disposition: 'pending' });
    const audit = await stack.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'viewer-1'`);
    expect(audit.rows[0].n).toBe(0);
  });

  it('no token or an unknown token → 401 with WWW-Authenticate: Bearer', async () => {
    const none = await admin('GET', '/api/v1/view');
    expect(none).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="signet-admin"');
    const bogus = await admin('GET', '/api/v1/view', 'sgt_not-a-real-token');
    expect(bogus.status).toBe(401);
    expect(bogus.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('a CA administrator creates a token through admin-api, and it works at once', async () => {
    const created = await admin('POST', '/api/v1/tokens', t.admin, { name: 'viewer-2', roles: ['viewer'] });
    expect(created).toMatchObject({ status: 201, body: { name: 'viewer-2', roles: ['viewer'], token: expect.any(String) } });
    expect((await admin('GET', '/api/v1/me', created.body.token)).body).toMatchObject({ name: 'viewer-2', roles: ['viewer'] });
    done.push({ action: 'admin-token.create', actor: 'admin-1' });
  });

  /** The 401 a revoked token gets: it says so, and RFC 6750's challenge says why. */
  function expectRevoked(res: { status: number; body: any; headers: Headers }): void {
    expect(res).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: 'this admin token has been revoked; ask a CA administrator for a new one', details: { reason: 'revoked_token' } },
    });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="signet-admin", error="invalid_token", error_description="the token has been revoked"');
  }

  it('a CA administrator revokes a token (signet token revoke → admin-api): reusing it is refused at once (401, revoked)', async () => {
    const created = await admin('POST', '/api/v1/tokens', t.admin, { name: 'short-lived-1', roles: ['officer'] });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    // Used, so admin-api holds the answer in its cache (SIGNET_AUTH_CACHE_MS, 10 s by default).
    expect((await admin('GET', '/api/v1/me', token)).body).toMatchObject({ name: 'short-lived-1', roles: ['officer'] });
    expect((await admin('GET', '/api/v1/view?preset=queue', token)).status).toBe(200);

    const revoked = await signetCli(stack, ['token', 'revoke', '--name', 'short-lived-1', '--json'], t.admin);
    expect({ code: revoked.code, json: revoked.json }).toEqual({ code: 0, json: { ca: stack.ca, name: 'short-lived-1', revoked: true, revokedAt: expect.any(String) } });

    expectRevoked(await admin('GET', '/api/v1/me', token));
    const id = await pendingRequest('After Revocation');
    expectRevoked(await admin('POST', `/api/v1/requests/${id}/deny`, token));
    expect((await admin('GET', `/api/v1/requests/${id}`, t.viewer)).body).toMatchObject({ disposition: 'pending' });
    // Revoked for good: a second revocation finds nothing, and the name stays taken.
    expect((await admin('DELETE', '/api/v1/tokens/short-lived-1', t.admin)).status).toBe(404);
    expect((await admin('POST', '/api/v1/tokens', t.admin, { name: 'short-lived-1', roles: ['officer'] })).status).toBe(409);
    done.push({ action: 'admin-token.revoke', actor: 'admin-1' });
  });

  it('a token revoked by the bootstrap command where ca-core runs is refused too, once ca-core has announced it', async () => {
    const { token } = stack.token('short-lived-2', ['viewer']);
    expect((await admin('GET', '/api/v1/me', token)).status).toBe(200);
    const notices: { name: string }[] = [];
    const sub = stack.nc.subscribe(AdminTokenRevoked.subject(stack.ca), { callback: (e, m) => void (e || notices.push(m.json())) });
    await stack.nc.flush();
    try {
      execFileSync(process.execPath, [join(ROOT, 'dist', 'apps', 'ca-core', 'admin-token.js'), 'revoke', '--name', 'short-lived-2'], { env: { ...process.env, ...stack.env() }, stdio: 'ignore' });
      // No bus in that command: ca-core's outbox relay announces it (within SIGNET_OUTBOX_POLL_MS).
      await waitFor('the revocation notice', async () => notices.some((n) => n.name === 'short-lived-2'), 15_000, 50);
    } finally {
      sub.unsubscribe();
    }
    expectRevoked(await admin('GET', '/api/v1/me', token));
  });

  it('with role separation on, a caller holding officer and ca-admin is refused management calls', async () => {
    const id = await pendingRequest('Separated Duties');
    await stack.restart('admin-api', { SIGNET_ROLE_SEPARATION: 'true' });
    try {
      const refused = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.dual);
      expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: { reason: 'ROLE_SEPARATION' } } });
      expect((await admin('POST', '/api/v1/tokens', t.dual, { name: 'nope', roles: ['viewer'] })).status).toBe(403);
      // Reads stay open to that caller; a single-role officer still manages.
      expect((await admin('GET', `/api/v1/requests/${id}`, t.dual)).body).toMatchObject({ disposition: 'pending' });
      expect((await admin('POST', `/api/v1/requests/${id}/deny`, t.officer1)).body).toMatchObject({ disposition: 'denied' });
    } finally {
      await stack.restart('admin-api');
    }
    expect((await admin('POST', `/api/v1/requests/${id}/resubmit`, t.dual)).body).toMatchObject({ disposition: 'issued' });
  });
});

/** The built CLI against this stack. */
const signet = (args: string[], token?: string) => signetCli(stack, args, token);

describe('8. the signet CLI drives steps 3–6', () => {
  it('submit → pending → resubmit → retrieve → revoke → status, with --json and exit codes', async () => {
    const csrFile = writeTemp('cli.csr', opensslCsr({ key: 'ec-p256', subject: '/CN=CLI Signing/O=Example Corp' }));
    const secretFile = join(mkdtempSync(join(tmpdir(), 'signet-cli-secret-')), 'cli.secret');
    const submitted = await signet(['submit', csrFile, '--template', 'CodeSigning', '--idempotency-key', `cli-${stack.ca}`, '--secret-file', secretFile, '--json']);
    expect({ code: submitted.code, stderr: submitted.stderr }).toEqual({ code: 4, stderr: '' });
    expect(submitted.json).toMatchObject({ ca: stack.ca, disposition: 'pending', retrievalSecretFile: secretFile });
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const id: number = submitted.json.requestId;

    const queue = await signet(['pending', '--json'], t.viewer);
    expect(queue.code).toBe(0);
    expect(queue.json.rows.map((r: { RequestID: number }) => r.RequestID)).toContain(id);

    const approved = await signet(['resubmit', String(id), '--json'], t.officer1);
    expect(approved.code).toBe(0);
    expect(approved.json).toMatchObject({ requestId: id, disposition: 'issued' });
    const again = await signet(['resubmit', String(id), '--json'], t.officer2);
    expect(again.code).toBe(6);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { exitCode: 6, code: 'WRONG_STATE' } });

    const certFile = join(mkdtempSync(join(tmpdir(), 'signet-cli-out-')), 'cli.pem');
    const withoutSecret = await signet(['retrieve', String(id), '--json']);
    expect(withoutSecret.code).toBe(5);
    expect(JSON.parse(withoutSecret.stderr)).toMatchObject({ error: { exitCode: 5, code: 'NOT_FOUND' } });
    const retrieved = await signet(['retrieve', String(id), '--secret-file', secretFile, '--json', '--out', certFile]);
    expect(retrieved.code).toBe(0);
    expect(retrieved.json).toMatchObject({ disposition: 'issued', serial: approved.json.serial });
    const caPem = (await stack.get(`/api/v1/cas/${stack.ca}/certificate`)).body.certificate;
    const verify = run('openssl', ['verify', '-x509_strict', '-CAfile', writeTemp('ca.pem', caPem), certFile]);
    expect(verify.code).toBe(0);

    const serial: string = approved.json.serial;
    const revoked = await signet(['revoke', serial, '--reason', 'keyCompromise', '--json'], t.officer1);
    expect(revoked.code).toBe(0);
    expect(revoked.json).toMatchObject({ serial, status: 'revoked', reason: 1 });
    const status = await signet(['status', serial, '--json'], t.viewer);
    expect(status.code).toBe(0);
    expect(status.json).toMatchObject({ serial, status: 'revoked', reason: 1, reasonName: 'keyCompromise' });

    const forbidden = await signet(['revoke', serial, '--json'], t.viewer);
    expect(forbidden.code).toBe(7);
    const unknown = await signet(['status', '7f'.repeat(16), '--json'], t.viewer);
    expect(unknown.code).toBe(5);
    done.push({ action: 'request.resubmit', actor: 'officer-1', requestId: id }, { action: 'certificate.revoke', actor: 'officer-1', serial });
  });

  it('audit verify and the CA certificate through the CLI', async () => {
    const verified = await signet(['audit', 'verify', '--json'], t.auditor);
    expect(verified).toMatchObject({ code: 0, json: { ok: true } });
    const ca = await signet(['ca-cert']);
    expect(ca.code).toBe(0);
    expect(ca.stdout).toBe((await stack.get(`/api/v1/cas/${stack.ca}/certificate`)).body.certificate);
  });
});

// Last: it tampers with the audit log.
describe('6. the audit log', () => {
  it('holds every action above, with its actor', async () => {
    const r = await admin('GET', '/api/v1/audit?limit=1000', t.auditor);
    expect(r.status).toBe(200);
    const entries: { action: string; actor: string; requestId: number | null; serial: string | null }[] = r.body.entries;
    for (const d of done) {
      const found = entries.some((e) => e.action === d.action && e.actor === d.actor && (d.requestId === undefined || e.requestId === d.requestId) && (d.serial === undefined || e.serial === d.serial));
      expect({ ...d, found }).toEqual({ ...d, found: true });
    }
    expect(done.length).toBeGreaterThanOrEqual(11);
    // Only an auditor reads it.
    expect((await admin('GET', '/api/v1/audit', t.officer1)).status).toBe(403);
  });

  it('verify reports the entry where an edit or a deletion in PostgreSQL breaks the chain', async () => {
    const verify = async () => (await admin('GET', '/api/v1/audit/verify', t.auditor)).body;
    expect(await verify()).toMatchObject({ ok: true, brokenAt: null });

    const rows = (await stack.db.query(`SELECT id, actor FROM audit_log WHERE ca_name = $1 AND action = 'request.resubmit' ORDER BY id`, [stack.ca])).rows as { id: string; actor: string }[];
    const edited = rows[0];
    await stack.db.query('UPDATE audit_log SET actor = $2 WHERE id = $1', [edited.id, 'mallory']);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: { id: Number(edited.id), reason: expect.stringMatching(/changed/) } });

    await stack.db.query('UPDATE audit_log SET actor = $2 WHERE id = $1', [edited.id, edited.actor]);
    expect(await verify()).toMatchObject({ ok: true });

    const deleted = rows[1];
    const next = (await stack.db.query('SELECT min(id) AS id FROM audit_log WHERE ca_name = $1 AND id > $2', [stack.ca, deleted.id])).rows[0].id;
    await stack.db.query('DELETE FROM audit_log WHERE id = $1', [deleted.id]);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: { id: Number(next), reason: expect.stringMatching(/deleted/) } });

    const cli = await signet(['audit', 'verify'], t.auditor);
    expect(cli.code).toBe(9);
    expect(cli.stdout).toContain(`BROKEN at entry ${next}`);
  });
});
