import { ScratchDir } from '@signet/testing';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/cli';
import { systemIo } from '../src/io';
import { type Io } from '../src/output';
import { FakeServer } from './fake-server';

const scratch = new ScratchDir('signet-cli-');
const dir = scratch.dir;
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBFAKE\n-----END CERTIFICATE REQUEST-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBLEAF\n-----END CERTIFICATE-----\n';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBCA\n-----END CERTIFICATE-----\n';
const SECRET = `sgr_${'r'.repeat(43)}`;
scratch.write('req.csr', CSR);

describe('signet against HTTP servers', () => {
  const enroll = new FakeServer();
  const admin = new FakeServer();
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    await enroll.start();
    await admin.start();
  });
  afterAll(async () => {
    await enroll.stop();
    await admin.stop();
    scratch.remove();
  });
  beforeEach(() => {
    enroll.seen.length = 0;
    admin.seen.length = 0;
    out = [];
    err = [];
  });

  function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
    const io: Io = {
      ...systemIo(),
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { HOME: dir, SIGNET_URL: enroll.url, SIGNET_ADMIN_URL: admin.url, SIGNET_TOKEN: 'secret-token', ...env },
    };
    return run(argv, io);
  }
  const stdoutJson = () => JSON.parse(out.join(''));

  describe('submit', () => {
    it('sends the CSR, template, attributes, CA and key; issued → 0 and the certificate on stdout', async () => {
      enroll.on('POST /api/v1/requests', { status: 201, body: { ca: 'ca1', requestId: 7, disposition: 'issued', dispositionCode: 3, message: 'Issued', certificate: CERT, chain: [CA_PEM], serial: '0a0b', retrievalSecret: SECRET } });
      const code = await cli(['submit', join(dir, 'req.csr'), '--template', 'WebServer', '--attr', 'Owner:ops', '--attr', 'san:dns=a.example.com', '--idempotency-key', 'k-1', '--ca', 'ca1']);
      expect(code).toBe(0);
      expect(enroll.seen[0].body).toEqual({ csr: CSR, attributes: { Owner: 'ops', san: 'dns=a.example.com', CertificateTemplate: 'WebServer' }, ca: 'ca1', idempotencyKey: 'k-1' });
      expect(enroll.seen[0].headers.authorization).toBeUndefined();
      expect(out.join('')).toContain('Disposition:      issued');
      expect(out.join('')).toContain(CERT);
      // Shown once: the only way to read the request back.
      expect(out.join('')).toContain(`Retrieval secret: ${SECRET}`);
    });

    it('pending → exit 4, --json on stdout with the retrieval secret', async () => {
      enroll.on('POST /api/v1/requests', { status: 202, body: { ca: 'ca1', requestId: 8, disposition: 'pending', dispositionCode: 5, message: 'Taken under submission', retrievalSecret: SECRET } });
      expect(await cli(['submit', join(dir, 'req.csr'), '--json'])).toBe(4);
      expect(stdoutJson()).toMatchObject({ requestId: 8, disposition: 'pending', retrievalSecret: SECRET });
    });

    it('--secret-file writes the retrieval secret there (mode 0600) and shows it nowhere', async () => {
      enroll.on('POST /api/v1/requests', { status: 202, body: { ca: 'ca1', requestId: 8, disposition: 'pending', dispositionCode: 5, message: 'Taken under submission', retrievalSecret: SECRET } });
      const file = join(dir, 'req-8.secret');
      expect(await cli(['submit', join(dir, 'req.csr'), '--secret-file', file])).toBe(4);
      expect(readFileSync(file, 'utf8')).toBe(`${SECRET}\n`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(out.join('')).toContain(`Retrieval secret: written to ${file} (mode 0600)`);
      expect(await cli(['submit', join(dir, 'req.csr'), '--secret-file', file, '--json'])).toBe(4);
      expect(JSON.parse(out.slice(1).join(''))).toEqual({ ca: 'ca1', requestId: 8, disposition: 'pending', dispositionCode: 5, message: 'Taken under submission', retrievalSecretFile: file });
      expect(out.join('') + err.join('')).not.toContain(SECRET);
    });

    it('denied (HTTP 400 REQUEST_DENIED) is an outcome: exit 3 with the request id and the rule', async () => {
      enroll.on('POST /api/v1/requests', { status: 400, body: { code: 'REQUEST_DENIED', ca: 'ca1', requestId: 9, disposition: 'denied', dispositionCode: 2, message: 'denied by policy', decidedBy: { rule: 'san.dns.domains', field: 'san.dns', value: 'evil.test' } } });
      expect(await cli(['submit', join(dir, 'req.csr')])).toBe(3);
      expect(out.join('')).toContain('Decided by:  san.dns.domains / san.dns / evil.test');
      expect(await cli(['submit', join(dir, 'req.csr'), '--json'])).toBe(3);
      expect(JSON.parse(out.slice(1).join(''))).toMatchObject({ requestId: 9, disposition: 'denied' });
    });

    it('a malformed CSR refused by the server → exit 2', async () => {
      enroll.on('POST /api/v1/requests', { status: 400, body: { code: 'MALFORMED_REQUEST', message: 'not a PKCS#10' } });
      expect(await cli(['submit', join(dir, 'req.csr')])).toBe(2);
      expect(err.join('')).toBe('signet: not a PKCS#10 [MALFORMED_REQUEST]\n');
    });

    it('--out writes the certificate with its chain', async () => {
      enroll.on('POST /api/v1/requests', { status: 201, body: { ca: 'ca1', requestId: 7, disposition: 'issued', dispositionCode: 3, message: 'Issued', certificate: CERT, chain: [CA_PEM], serial: '0a0b' } });
      expect(await cli(['submit', join(dir, 'req.csr'), '--out', join(dir, 'leaf.pem'), '--chain'])).toBe(0);
      expect(readFileSync(join(dir, 'leaf.pem'), 'utf8')).toBe(CERT + CA_PEM);
    });
  });

  describe('retrieve', () => {
    it('passes the CA and the retrieval secret from --secret-file in its header (never the URL), and maps the disposition', async () => {
      enroll.on('GET /api/v1/requests/8', { body: { ca: 'ca1', requestId: 8, disposition: 'pending', dispositionCode: 5, message: 'pending' } });
      const file = scratch.write('retrieve-8.secret', `${SECRET}\n`);
      expect(await cli(['retrieve', '8', '--ca', 'ca1', '--secret-file', file])).toBe(4);
      expect(enroll.seen[0].query.get('ca')).toBe('ca1');
      expect(enroll.seen[0].headers['signet-retrieval-secret']).toBe(SECRET);
      expect(enroll.seen[0].query.toString()).not.toContain(SECRET.slice(4));
    });

    it('takes the secret from SIGNET_RETRIEVAL_SECRET; --secret-file wins', async () => {
      enroll.on('GET /api/v1/requests/8', { body: { ca: 'ca1', requestId: 8, disposition: 'pending', dispositionCode: 5, message: 'pending' } });
      expect(await cli(['retrieve', '8'], { SIGNET_RETRIEVAL_SECRET: SECRET })).toBe(4);
      const file = scratch.write('retrieve-8b.secret', 'sgr_from_the_file');
      expect(await cli(['retrieve', '8', '--secret-file', file], { SIGNET_RETRIEVAL_SECRET: SECRET })).toBe(4);
      expect(enroll.seen.map((s) => s.headers['signet-retrieval-secret'])).toEqual([SECRET, 'sgr_from_the_file']);
    });

    it('without a secret: no header; the CA\'s not found → exit 5, saying how a request is read back', async () => {
      enroll.on('GET /api/v1/requests/404', { status: 404, body: { code: 'NOT_FOUND', message: 'request 404 not found' } });
      expect(await cli(['retrieve', '404'])).toBe(5);
      expect(enroll.seen[0].headers['signet-retrieval-secret']).toBeUndefined();
      expect(err.join('')).toBe('signet: request 404 not found [NOT_FOUND]; a request is read back with its retrieval secret: --secret-file or SIGNET_RETRIEVAL_SECRET\n');
      err.length = 0;
      expect(await cli(['retrieve', '404'], { SIGNET_RETRIEVAL_SECRET: SECRET })).toBe(5);
      expect(err.join('')).toBe('signet: request 404 not found [NOT_FOUND]\n');
    });

    it('an unreadable or empty secret file is a usage error; nothing is sent', async () => {
      expect(await cli(['retrieve', '8', '--secret-file', join(dir, 'missing.secret')])).toBe(2);
      expect(err.join('')).toBe(`signet: cannot read the retrieval secret file ${join(dir, 'missing.secret')}: ENOENT\n`);
      expect(await cli(['retrieve', '8', '--secret-file', scratch.write('empty.secret', '\n')])).toBe(2);
      expect(enroll.seen).toEqual([]);
    });
  });

  it('ca-cert finds the default CA and prints the chain', async () => {
    enroll.on('GET /api/v1/cas/default', { body: { source: 'first', ca: { name: 'ca1' } } });
    enroll.on('GET /api/v1/cas/ca1/certificate', (s) => ({ body: { ca: 'ca1', certificate: CA_PEM, ...(s.query.get('chain') === 'true' ? { chain: [CA_PEM, CERT] } : {}) } }));
    expect(await cli(['ca-cert', '--chain'])).toBe(0);
    expect(out.join('')).toBe(CA_PEM + CERT);
  });

  it('pending lists the queue as a table; the token goes to admin-api only', async () => {
    admin.on('GET /api/v1/view', { body: { ca: 'ca1', rows: [{ RequestID: 3, Disposition: 'pending', CertificateTemplate: 'CodeSigning', Subject: 'CN=Release', SerialNumber: null, NotAfter: null, SubmittedWhen: '2026-01-01T10:11:12.000Z' }], nextCursor: 'c2', total: null } });
    expect(await cli(['pending', '--limit', '10'])).toBe(0);
    expect(admin.seen[0].query.toString()).toBe('preset=queue&limit=10');
    expect(admin.seen[0].headers.authorization).toBe('Bearer secret-token');
    expect(out.join('')).toMatch(/^ID\s+Disposition\s+Template\s+Subject/);
    expect(out.join('')).toMatch(/\n3\s+pending\s+CodeSigning\s+CN=Release\s+2026-01-01 10:11\n/);
    expect(err.join('')).toContain('--cursor c2');
  });

  it('dead-letter replay-all asks again while some remain and none failed, and sums what was replayed', async () => {
    const rounds = [
      { module: 'hook', replayed: 1000, failed: null, remaining: 5 },
      { module: 'hook', replayed: 5, failed: null, remaining: 0 },
    ];
    admin.on('POST /api/v1/dead-letters/replay-all', () => ({ body: { ca: 'ca1', ...rounds.shift() } }));
    expect(await cli(['dead-letter', 'replay-all', 'hook', '--json'])).toBe(0);
    expect(admin.seen.map((x) => x.body)).toEqual([{ module: 'hook', limit: 1000 }, { module: 'hook', limit: 1000 }]);
    expect(stdoutJson()).toEqual({ module: 'hook', replayed: 1005, failed: null, remaining: 0 });
  });

  it('dead-letter replay-all stops at a failure and exits 1', async () => {
    admin.on('POST /api/v1/dead-letters/replay-all', { body: { ca: 'ca1', module: 'hook', replayed: 3, failed: { id: '17', result: 'failed: answered 503' }, remaining: 9 } });
    expect(await cli(['dead-letter', 'replay-all', 'hook'])).toBe(1);
    expect(admin.seen).toHaveLength(1);
    expect(out.join('')).toMatch(/Replayed:\s+3\n[\s\S]*Failed again:\s+17: failed: answered 503\n[\s\S]*Remaining:\s+9/);
  });

  it('view sends preset, filters, sort, paging; csv format', async () => {
    admin.on('GET /api/v1/view', { body: { ca: 'ca1', rows: [{ RequestID: 3, Disposition: 'issued', Subject: 'CN=a,O=b', RequestType: 'imported' }], nextCursor: null, total: 1 } });
    expect(await cli(['view', '--preset', 'issued', '--filter', 'NotAfter lt 2027-01-01', '--filter', 'Disposition eq issued', '--sort', 'NotAfter:desc', '--cursor', 'c', '--count', '--format', 'csv'])).toBe(0);
    const q = admin.seen[0].query;
    expect([q.get('preset'), q.getAll('filter'), q.get('sort'), q.get('cursor'), q.get('count'), q.get('limit')]).toEqual(['issued', ['NotAfter lt 2027-01-01', 'Disposition eq issued'], 'NotAfter:desc', 'c', 'true', '50']);
    expect(out.join('').split('\r\n')[1]).toBe('3,issued,,,"CN=a,O=b",,,,,,,,,imported');
  });

  it('view --all streams the export to stdout and warns when truncated', async () => {
    admin.on('GET /api/v1/view/export', { headers: { 'content-type': 'text/csv', 'x-export-truncated': 'true', 'x-export-max-rows': '2', 'x-total-count': '9' }, chunks: ['RequestID\r\n', '1\r\n', '2\r\n'] });
    expect(await cli(['view', '--all', '--format', 'csv'])).toBe(0);
    expect(out.join('')).toBe('RequestID\r\n1\r\n2\r\n');
    expect(admin.seen[0].query.get('format')).toBe('csv');
    expect(err.join('')).toContain('stopped at 2 of 9 rows');
  });

  it.each([
    ['issued', 0],
    ['pending', 4],
    ['denied', 3],
  ])('resubmit → %s exits %d', async (disposition, exit) => {
    admin.on('POST /api/v1/requests/5/resubmit', { body: { ca: 'ca1', requestId: 5, disposition, dispositionCode: 0, message: 'm' } });
    expect(await cli(['resubmit', '5', '--json'])).toBe(exit);
    expect(stdoutJson()).toMatchObject({ requestId: 5, disposition });
  });

  it.each([
    [409, 'WRONG_STATE', 6],
    [401, 'UNAUTHORIZED', 7],
    [403, 'FORBIDDEN', 7],
    [404, 'NOT_FOUND', 5],
    [503, 'CA_UNAVAILABLE', 8],
    [500, 'INTERNAL', 1],
  ])('an admin error %d %s exits %d with the message on stderr', async (status, code, exit) => {
    admin.on('POST /api/v1/requests/6/resubmit', { status, body: { code, message: `said ${code}`, details: code === 'FORBIDDEN' ? { reason: 'ROLE_SEPARATION' } : undefined } });
    expect(await cli(['resubmit', '6'])).toBe(exit);
    expect(err.join('')).toContain(`said ${code} [${code}]`);
    expect(out).toEqual([]);
    expect(err.join('')).not.toContain('secret-token');
  });

  it('deny sends the reason', async () => {
    admin.on('POST /api/v1/requests/5/deny', { body: { ca: 'ca1', requestId: 5, disposition: 'denied', dispositionCode: 2, message: 'Denied by olivia' } });
    expect(await cli(['deny', '5', '--reason', 'not ours'])).toBe(0);
    expect(admin.seen[0].body).toEqual({ reason: 'not ours' });
  });

  it('set-attributes and set-extension send what was typed', async () => {
    const detail = { requestId: 5, disposition: 'pending', attributes: [{ name: 'Owner', value: 'ops', origin: 'admin' }], extensions: [{ oid: '1.2.3', critical: true, origin: 'admin', disabled: false, value: 'AA==' }] };
    admin.on('PATCH /api/v1/requests/5/attributes', { body: detail });
    admin.on('PUT /api/v1/requests/5/extensions/1.2.3', { body: detail });
    expect(await cli(['set-attributes', '5', 'Owner:ops', 'Dept:Build'])).toBe(0);
    expect(await cli(['set-extension', '5', '1.2.3', '--critical', '--long=-7'])).toBe(0);
    expect(admin.seen.map((s) => s.body)).toEqual([{ Owner: 'ops', Dept: 'Build' }, { critical: true, disabled: false, value: { type: 'long', value: -7 } }]);
    expect(out.join('')).toMatch(/Owner\s+ops\s+admin/);
  });

  it('revoke sends reason and dates; status of an unknown serial exits 5', async () => {
    admin.on('POST /api/v1/certificates/0a1b/revoke', { body: { serial: '0a1b', status: 'revoked', caDisposition: 2, reason: 6, reasonName: 'certificateHold' } });
    expect(await cli(['revoke', '0A:1B', '--reason', 'certificateHold', '--effective-at', '2026-01-01T00:00:00Z'])).toBe(0);
    expect(admin.seen[0].body).toEqual({ reason: 'certificateHold', effectiveAt: '2026-01-01T00:00:00Z' });
    expect(out.join('')).toContain('Reason: 6 (certificateHold)');
    admin.on('GET /api/v1/certificates/ffff/status', { body: { serial: 'ffff', status: 'unknown', caDisposition: 4 } });
    expect(await cli(['status', 'ffff'])).toBe(5);
  });

  it('audit verify: intact → 0, broken → 9', async () => {
    admin.on('GET /api/v1/audit/verify', { body: { ca: 'ca1', ok: true, checked: 12, brokenAt: null } });
    expect(await cli(['audit', 'verify'])).toBe(0);
    expect(out.join('')).toBe('audit log intact: 12 entries checked\n');
    admin.on('GET /api/v1/audit/verify', { body: { ca: 'ca1', ok: false, checked: 12, brokenAt: { id: 5, reason: 'hash mismatch' } } });
    expect(await cli(['audit', 'verify', '--json'])).toBe(9);
  });

  it('token create prints the token alone on stdout', async () => {
    admin.on('POST /api/v1/tokens', { status: 201, body: { name: 'ci', roles: ['officer'], token: 'tok-123' } });
    expect(await cli(['token', 'create', '--name', 'ci', '--roles', 'officer'])).toBe(0);
    expect(out.join('')).toBe('tok-123\n');
    expect(admin.seen[0].body).toEqual({ name: 'ci', roles: ['officer'] });
  });

  it('reads URLs and the token from the config file when the env does not set them', async () => {
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ adminUrl: admin.url, token: 'file-token' }), { mode: 0o600 });
    admin.on('GET /api/v1/modules', { body: { ca: 'ca1', modules: [] } });
    expect(await cli(['modules', '--config', file], { SIGNET_ADMIN_URL: '', SIGNET_TOKEN: undefined })).toBe(0);
    expect(admin.seen[0].headers.authorization).toBe('Bearer file-token');
  });

  it('an unreachable server exits 8', async () => {
    expect(await cli(['status', '0a0b', '--admin-url', 'http://127.0.0.1:9'])).toBe(8);
    expect(err.join('')).toContain('cannot reach http://127.0.0.1:9');
  });
});
