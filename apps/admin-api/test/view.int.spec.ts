import { ErrorCode, SignetError } from '@signet/contracts';
import { FakeCa } from './fake-ca';
import { expectError, startHarness, type Harness } from './harness';

/** Serves `total` rows in pages, the way ca-core pages with an opaque cursor. */
function pagedRows(h: Harness, total: number, opts: { failAfterPages?: number } = {}) {
  let pages = 0;
  h.ca.handlers.adminView = (m: { limit: number; cursor?: string; count: boolean }) => {
    if (opts.failAfterPages !== undefined && pages >= opts.failAfterPages) throw new SignetError(ErrorCode.CaUnavailable, 'gone');
    pages++;
    const start = m.cursor ? Number(Buffer.from(m.cursor, 'base64url').toString()) : 0;
    const end = Math.min(start + m.limit, total);
    const rows = Array.from({ length: end - start }, (_, i) => FakeCa.row(start + i + 1));
    return { rows, nextCursor: end < total ? Buffer.from(String(end)).toString('base64url') : null, total: m.count ? total : null };
  };
}

describe('view (ICertView)', () => {
  let h: Harness;
  let viewer: string;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_EXPORT_MAX_ROWS: '2500' });
    viewer = h.token('vera', ['viewer']);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.ca.calls.length = 0;
    delete h.ca.handlers.adminView;
  });

  it('turns the query string into one ICertView query', async () => {
    const q = new URLSearchParams([
      ['preset', 'queue'],
      ['filter', 'Disposition eq pending'],
      ['filter', 'NotAfter lt 2027-01-01'],
      ['filter', 'Request.RequesterName prefix "build bot"'],
      ['sort', 'NotAfter:desc'],
      ['limit', '50'],
      ['cursor', 'abc'],
      ['count', 'true'],
    ]);
    const res = await h.call('GET', `/api/v1/view?${q}`, { token: viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ca: h.ca.name, rows: [{ RequestID: 1 }], nextCursor: null });
    expect(h.ca.received('adminView')).toEqual([
      {
        actor: { name: 'vera', roles: ['viewer'] },
        preset: 'queue',
        filters: [
          { column: 'Disposition', op: 'eq', value: 'pending' },
          { column: 'NotAfter', op: 'lt', value: '2027-01-01T00:00:00.000Z' },
          { column: 'RequesterName', op: 'prefix', value: 'build bot' },
        ],
        sort: { column: 'NotAfter', direction: 'desc' },
        limit: 50,
        cursor: 'abc',
        count: true,
      },
    ]);
  });

  it.each([
    ['an unknown column', 'filter=Colour%20eq%20red', 'filter'],
    ['an unknown preset', 'preset=everything', 'preset'],
    ['limit over 1000', 'limit=1001', 'limit'],
    ['a bad sort direction', 'sort=NotAfter:up', 'sort'],
    ['a bad date', 'filter=NotAfter%20lt%20soon', 'filter'],
    ['count twice', 'count=true&count=false', 'count'],
  ])('400 for %s, naming the parameter', async (_n, qs, field) => {
    const body = await expectError(await h.call('GET', `/api/v1/view?${qs}`, { token: viewer }), 400, 'BAD_MESSAGE');
    expect(body.details).toMatchObject({ field });
    expect(h.ca.received('adminView')).toEqual([]);
  });

  it('exports every page as CSV, with the total in headers', async () => {
    pagedRows(h, 2300);
    const res = await h.call('GET', '/api/v1/view/export?format=csv&preset=issued', { token: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="signet-${h.ca.name}-issued.csv"`);
    expect(res.headers.get('x-total-count')).toBe('2300');
    expect(res.headers.get('x-export-truncated')).toBe('false');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('RequestID,Disposition,RequesterName,CertificateTemplate,Subject,SerialNumber,NotBefore,NotAfter,SubmittedWhen,ResolvedWhen,RevokedWhen,RevokedReason,DispositionMessage,RequestType');
    expect(lines).toHaveLength(2301);
    expect(lines[2300]).toMatch(/^2300,issued,/);
    const views = h.ca.received('adminView');
    expect(views.map((v) => [v.limit, v.count])).toEqual([
      [1000, true],
      [1000, false],
      // the last page asks only for what the cap leaves
      [500, false],
    ]);
  });

  it('stops at SIGNET_EXPORT_MAX_ROWS and says so before the body', async () => {
    pagedRows(h, 5000);
    const res = await h.call('GET', '/api/v1/view/export?format=json', { token: viewer });
    expect(res.headers.get('x-export-truncated')).toBe('true');
    expect(res.headers.get('x-export-max-rows')).toBe('2500');
    const body = (await res.json()) as { rows: { RequestID: number }[] };
    expect(body).toMatchObject({ ca: h.ca.name, exported: 2500, total: 5000, truncated: true });
    expect(body.rows).toHaveLength(2500);
    expect(body.rows[2499].RequestID).toBe(2500);
  });

  it('maxRows lowers the cap for one export', async () => {
    pagedRows(h, 100);
    const body = await (await h.call('GET', '/api/v1/view/export?format=json&maxRows=10', { token: viewer })).json();
    expect(body).toMatchObject({ exported: 10, total: 100, truncated: true });
  });

  it('cuts the connection when ca-core goes away half-way (never a short file that looks whole)', async () => {
    pagedRows(h, 3000, { failAfterPages: 1 });
    const res = await h.call('GET', '/api/v1/view/export?format=csv', { token: viewer });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('a failure before the first row is a clean JSON error', async () => {
    pagedRows(h, 10, { failAfterPages: 0 });
    const res = await h.call('GET', '/api/v1/view/export', { token: viewer });
    await expectError(res, 503, 'CA_UNAVAILABLE');
  });

  it.each([
    ['format=xml', 'format'],
    ['cursor=abc', 'cursor'],
    ['limit=5', 'limit'],
  ])('export refuses %s', async (qs, field) => {
    const body = await expectError(await h.call('GET', `/api/v1/view/export?${qs}`, { token: viewer }), 400, 'BAD_MESSAGE');
    expect(body.details).toMatchObject({ field });
  });
});

describe('modules, audit, tokens, dead letters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('lists modules', async () => {
    h.ca.handlers.adminModules = () => ({
      modules: [{ kind: 'policy', name: 'signet-policy', description: 'templates', version: '1', eventMask: 0, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z' }],
    });
    const res = await h.call('GET', '/api/v1/modules', { token: h.token('v', ['viewer']) });
    expect(await res.json()).toMatchObject({ ca: h.ca.name, modules: [{ kind: 'policy', name: 'signet-policy' }] });
  });

  it('lists and verifies the audit log for an auditor', async () => {
    const auditor = h.token('audrey', ['auditor']);
    h.ca.handlers.adminAuditVerify = () => ({ ok: false, checked: 4, brokenAt: { id: 3, reason: 'hash mismatch' } });
    expect(await (await h.call('GET', '/api/v1/audit/verify', { token: auditor })).json()).toEqual({ ca: h.ca.name, ok: false, checked: 4, brokenAt: { id: 3, reason: 'hash mismatch' } });
    await h.call('GET', '/api/v1/audit?afterId=10&limit=5&requestId=3', { token: auditor });
    expect(h.ca.received('adminAuditList').at(-1)).toEqual({ actor: { name: 'audrey', roles: ['auditor'] }, afterId: 10, limit: 5, requestId: 3 });
  });

  it('creates a token (201, no-store), deduplicating roles', async () => {
    const res = await h.call('POST', '/api/v1/tokens', { token: h.token('root', ['ca-admin']), body: { name: 'ci-bot', roles: ['officer', 'officer'] } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ name: 'ci-bot', roles: ['officer'], token: 'tok-new' });
    expect(h.ca.received('adminCreateToken').at(-1)).toEqual({ actor: { name: 'root', roles: ['ca-admin'] }, name: 'ci-bot', roles: ['officer'] });
  });

  it.each([
    ['an unknown role', { name: 'x', roles: ['root'] }],
    ['a name with spaces', { name: 'a b', roles: ['viewer'] }],
    ['no roles', { name: 'x', roles: [] }],
  ])('token create refuses %s', async (_n, body) => {
    await expectError(await h.call('POST', '/api/v1/tokens', { token: h.token('root2', ['ca-admin']), body }), 400, 'BAD_MESSAGE');
  });

  it('lists dead letters (officer) and replays one (ca-admin) on exit-service subjects, the actor in an assertion for exit-service', async () => {
    expect(await (await h.call('GET', '/api/v1/dead-letters?module=file&limit=5', { token: h.token('o', ['officer']) })).json()).toEqual({ ca: h.ca.name, deadLetters: [] });
    expect(h.ca.received('deadLetterList').at(-1)).toEqual({ module: 'file', limit: 5, actor: { name: 'o', roles: ['officer'] } });
    const res = await h.call('POST', '/api/v1/dead-letters/dl-1/replay', { token: h.token('adm', ['ca-admin']) });
    expect(await res.json()).toEqual({ ca: h.ca.name, id: 'dl-1', replayed: true, result: 'delivered' });
    expect(h.ca.received('deadLetterReplay').at(-1)).toEqual({ id: 'dl-1', actor: { name: 'adm', roles: ['ca-admin'] } });
  });

  it('records every dead-letter action in ca-core\'s audit log before exit-service is asked; no record, no action', async () => {
    const adm = h.token('adm4', ['ca-admin']);
    const actor = { name: 'adm4', roles: ['ca-admin'] };
    const order = () => h.ca.calls.map((c) => c.command).filter((c) => c === 'adminAuditRecord' || c.startsWith('deadLetter'));
    h.ca.calls.length = 0;
    await h.call('POST', '/api/v1/dead-letters/dl-2/replay', { token: adm });
    await h.call('DELETE', '/api/v1/dead-letters/dl-3', { token: adm });
    await h.call('POST', '/api/v1/dead-letters/replay-all', { token: adm, body: { module: 'hook', limit: 7 } });
    expect(order()).toEqual(['adminAuditRecord', 'deadLetterReplay', 'adminAuditRecord', 'deadLetterDiscard', 'adminAuditRecord', 'deadLetterReplayAll']);
    expect(h.ca.received('adminAuditRecord')).toEqual([
      { actor, action: 'deadletter.replay', details: { id: 'dl-2' } },
      { actor, action: 'deadletter.discard', details: { id: 'dl-3' } },
      { actor, action: 'deadletter.replay-all', details: { module: 'hook', limit: 7 } },
    ]);
    h.ca.handlers.adminAuditRecord = () => {
      throw new SignetError(ErrorCode.Forbidden, 'deadletter.replay needs the ca-admin role');
    };
    h.ca.calls.length = 0;
    await expectError(await h.call('POST', '/api/v1/dead-letters/dl-2/replay', { token: adm }), 403, 'FORBIDDEN');
    expect(order()).toEqual(['adminAuditRecord']);
    delete h.ca.handlers.adminAuditRecord;
  });

  it('discards a dead letter (ca-admin only), naming the actor to exit-service in the assertion', async () => {
    const res = await h.call('DELETE', '/api/v1/dead-letters/dl-7', { token: h.token('adm3', ['ca-admin']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ca: h.ca.name, id: 'dl-7', module: 'hook', eventId: 'ev-1', discarded: true });
    expect(h.ca.received('deadLetterDiscard').at(-1)).toEqual({ id: 'dl-7', actor: { name: 'adm3', roles: ['ca-admin'] } });
    await expectError(await h.call('DELETE', '/api/v1/dead-letters/dl-7', { token: h.token('o3', ['officer']) }), 403, 'FORBIDDEN');
  });

  it('replays one module\'s dead letters (ca-admin), passing the module, the limit and the actor', async () => {
    const adm = h.token('adm2', ['ca-admin']);
    const res = await h.call('POST', '/api/v1/dead-letters/replay-all', { token: adm, body: { module: 'hook', limit: 10 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ca: h.ca.name, module: 'hook', replayed: 2, failed: { id: '9', result: 'failed: answered 503' }, remaining: 5 });
    const adm2 = { name: 'adm2', roles: ['ca-admin'] };
    expect(h.ca.received('deadLetterReplayAll').at(-1)).toEqual({ module: 'hook', limit: 10, actor: adm2 });
    await h.call('POST', '/api/v1/dead-letters/replay-all', { token: adm, body: { module: 'hook' } });
    expect(h.ca.received('deadLetterReplayAll').at(-1)).toEqual({ module: 'hook', limit: 100, actor: adm2 });
    for (const body of [{}, { module: '' }, { module: 'hook', limit: 0 }, { module: 'hook', all: true }, { module: 'hook', actor: 'root' }]) {
      await expectError(await h.call('POST', '/api/v1/dead-letters/replay-all', { token: adm, body }), 400, 'BAD_MESSAGE');
    }
    await expectError(await h.call('POST', '/api/v1/dead-letters/replay-all', { token: h.token('o2', ['officer']), body: { module: 'hook' } }), 403, 'FORBIDDEN');
  });

  it('shows how far behind exit-service\'s modules are, to any role, from exit-service\'s status subject', async () => {
    const res = await h.call('GET', '/api/v1/exit-modules', { token: h.token('v', ['viewer']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ca: h.ca.name,
      modules: [{ name: 'file', description: 'files', events: [{ event: 'certificate.issued', consumer: 'exit_x_file_certificate-issued', pending: 3, inFlight: 1, redelivered: 0, lastDelivered: '2026-01-02T03:04:05.000Z' }], deadLetters: 2 }],
    });
    expect(h.ca.received('exitStatus').at(-1)).toEqual({});
  });
});
