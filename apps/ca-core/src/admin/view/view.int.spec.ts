import { Commands, DB_DISP, ErrorCode, VIEW_COLUMNS, type SignetError, type ViewColumn, type ViewRequest, type ViewReply } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { startCaCore, type CaCoreHarness } from '../../testing/ca-core-harness';

/*
 * ICertView through the real bus on a small seeded table, checked against a
 * model of the same rows kept in the test: every column sorted both ways and
 * paged with cursors, presets, filters, counts, and paging while rows are
 * being inserted.
 */

const viewer = { name: 'victor', roles: ['viewer' as const] };

/** A seeded row as the test knows it; times as exact ISO strings with microseconds. */
interface Model {
  RequestID: number;
  Disposition: string;
  RequesterName: string;
  CertificateTemplate: string | null;
  Subject: string;
  SerialNumber: string | null;
  NotBefore: string | null;
  NotAfter: string | null;
  SubmittedWhen: string;
  ResolvedWhen: string | null;
  RevokedWhen: string | null;
  RevokedReason: number | null;
  RequestType: 'pkcs10' | 'imported';
}

const DISPOSITIONS = ['issued', 'issued', 'revoked', 'pending', 'issued', 'denied', 'failed', 'in_process', 'revoked'];
const REQUESTERS = ['alice', 'bob', 'Carol', 'dave'];
const TEMPLATES = ['WebServer', 'User', 'Machine'];
const SUBJECTS = ['CN=alpha', 'CN=Beta', 'CN=beta', 'CN=gamma.example.test', 'CN=100%_sure'];

/** 2026-03-01 + offset, microsecond precision, as PostgreSQL prints it back. */
const at = (seconds: number, micros = 0) => new Date(Date.UTC(2026, 2, 1) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(micros).padStart(6, '0')}Z`);

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order ICertView promises: values (then request id) in the direction asked, rows without a value last, by id. */
function expectedOrder(rows: Model[], col: ViewColumn, dir: 'asc' | 'desc'): number[] {
  const s = dir === 'asc' ? 1 : -1;
  const withValue = rows.filter((r) => r[col] !== null).sort((a, b) => s * (compare(a[col]!, b[col]!) || a.RequestID - b.RequestID));
  const without = rows.filter((r) => r[col] === null).sort((a, b) => s * (a.RequestID - b.RequestID));
  return [...withValue, ...without].map((r) => r.RequestID);
}

describe('admin view (ICertView) on the real bus and database', () => {
  let h: CaCoreHarness;
  const model: Model[] = [];

  async function insert(i: number): Promise<Model> {
    const disposition = DISPOSITIONS[i % DISPOSITIONS.length];
    const hasCert = disposition === 'issued' || disposition === 'revoked';
    const submitted = at(Math.floor(i / 2) * 60, (i * 7919) % 1_000_000); // pairs share the second, not the microsecond
    const m: Model = {
      RequestID: 0,
      Disposition: disposition,
      RequesterName: REQUESTERS[i % REQUESTERS.length],
      CertificateTemplate: i % 5 === 0 ? null : TEMPLATES[i % TEMPLATES.length],
      Subject: SUBJECTS[i % SUBJECTS.length],
      SerialNumber: hasCert ? `${(0x10 + (i % 0x60)).toString(16)}${randomBytes(15).toString('hex')}` : null,
      NotBefore: hasCert ? submitted : null,
      NotAfter: hasCert ? at(86_400 * (1 + (i % 4)), 500_000) : null, // many ties
      SubmittedWhen: submitted,
      ResolvedWhen: disposition === 'pending' || disposition === 'in_process' ? null : at(Math.floor(i / 2) * 60 + 1, 250),
      RevokedWhen: disposition === 'revoked' ? at(3_600 + i, 1) : null,
      RevokedReason: disposition === 'revoked' ? [1, 4, 6][i % 3] : null,
      // Some certificates came in by ImportCertificate: no request bytes.
      RequestType: hasCert && i % 4 === 0 ? 'imported' : 'pkcs10',
    };
    const [{ id }] = await h.ds.query(
      // An in-process row holds a lease its (live) process keeps renewing; one without would be parked by the sweeper mid-test (ADR 0034).
      `INSERT INTO request (ca_name, disposition, disposition_message, request_type, raw_request, request_sha256, requester_name, subject, template, submitted_at, resolved_at, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $2 = 'in_process' THEN now() + interval '1 day' END) RETURNING id`,
      [h.ca, disposition, `seeded ${i}`, m.RequestType, m.RequestType === 'imported' ? Buffer.alloc(0) : Buffer.from([0x30, 0x00]), randomBytes(32).toString('hex'), m.RequesterName, m.Subject, m.CertificateTemplate, m.SubmittedWhen, m.ResolvedWhen],
    );
    m.RequestID = Number(id);
    if (hasCert) {
      await h.ds.query(`INSERT INTO serial_reservation (ca_name, serial, request_id) VALUES ($1, $2, $3)`, [h.ca, m.SerialNumber, id]);
      await h.ds.query(
        `INSERT INTO certificate (ca_name, serial, request_id, der, sha256, subject, template, not_before, not_after, revoked_at, revoked_effective_at, revoked_reason)
         VALUES ($1, $2, $3, '\\x3000', $4, $5, $6, $7, $8, $9, $9, $10)`,
        [h.ca, m.SerialNumber, id, randomBytes(32).toString('hex'), m.Subject, m.CertificateTemplate, m.NotBefore, m.NotAfter, m.RevokedWhen, m.RevokedReason],
      );
    }
    return m;
  }

  beforeAll(async () => {
    h = await startCaCore('view');
    for (let i = 0; i < 63; i++) model.push(await insert(i));
  });

  afterAll(async () => {
    await h?.close();
  });

  const view = (r: Omit<ViewRequest, 'actor'>): Promise<ViewReply> => h.client.call(Commands.adminView, h.ca, { actor: viewer, ...r });

  /** Every page of a query, following nextCursor. */
  async function all(r: Omit<ViewRequest, 'actor' | 'cursor'>, limit = 7): Promise<{ ids: number[]; pages: number; total: number | null }> {
    const ids: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let total: number | null = null;
    do {
      const page = await view({ ...r, limit, cursor, count: pages === 0 });
      if (pages === 0) total = page.total;
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      ids.push(...page.rows.map((x) => x.RequestID));
      cursor = page.nextCursor ?? undefined;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { ids, pages, total };
  }

  it('returns rows in the AD CS column shape', async () => {
    const revoked = model.find((m) => m.Disposition === 'revoked')!;
    const { rows } = await view({ filters: [{ column: 'RequestID', op: 'eq', value: revoked.RequestID }] });
    expect(rows).toEqual([
      {
        RequestID: revoked.RequestID,
        Disposition: 'revoked',
        RequesterName: revoked.RequesterName,
        CertificateTemplate: revoked.CertificateTemplate,
        Subject: revoked.Subject,
        SerialNumber: revoked.SerialNumber,
        NotBefore: new Date(revoked.NotBefore!).toISOString(),
        NotAfter: new Date(revoked.NotAfter!).toISOString(),
        SubmittedWhen: new Date(revoked.SubmittedWhen).toISOString(),
        ResolvedWhen: new Date(revoked.ResolvedWhen!).toISOString(),
        RevokedWhen: new Date(revoked.RevokedWhen!).toISOString(),
        RevokedReason: revoked.RevokedReason,
        DispositionMessage: `seeded ${model.indexOf(revoked)}`,
        RequestType: revoked.RequestType,
      },
    ]);
  });

  const sorts = VIEW_COLUMNS.flatMap((c) => (['asc', 'desc'] as const).map((d) => [c, d] as const));
  it.each(sorts)('sorts on %s %s and pages through every row exactly once', async (column, direction) => {
    const r = await all({ sort: { column, direction } });
    expect(r.ids).toEqual(expectedOrder(model, column, direction));
    expect(r.total).toBe(model.length);
  });

  it.each<[string, ViewRequest['preset'], (m: Model) => boolean]>([
    ['queue = pending and in process', 'queue', (m) => m.Disposition === 'pending' || m.Disposition === 'in_process'],
    ['issued', 'issued', (m) => m.Disposition === 'issued'],
    ['revoked', 'revoked', (m) => m.Disposition === 'revoked'],
    ['failed = failed and denied', 'failed', (m) => m.Disposition === 'failed' || m.Disposition === 'denied'],
    ['all', 'all', () => true],
  ])('preset %s', async (_n, preset, keep) => {
    const r = await all({ preset, sort: { column: 'RequestID', direction: 'asc' } }, 5);
    const expected = model.filter(keep).map((m) => m.RequestID);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.ids).toEqual(expected);
    expect(r.total).toBe(expected.length);
  });

  const byId = (keep: (m: Model) => boolean) => model.filter(keep).map((m) => m.RequestID).sort((a, b) => b - a);
  it.each<[string, () => ViewRequest['filters'], (m: Model) => boolean]>([
    ['eq on text (case-sensitive)', () => [{ column: 'Subject', op: 'eq', value: 'CN=Beta' }], (m) => m.Subject === 'CN=Beta'],
    ['prefix on text, byte order (upper case first)', () => [{ column: 'Subject', op: 'prefix', value: 'CN=b' }], (m) => m.Subject.startsWith('CN=b')],
    ['prefix with LIKE wildcards taken literally', () => [{ column: 'Subject', op: 'prefix', value: 'CN=100%_' }], (m) => m.Subject.startsWith('CN=100%_')],
    ['lt on text', () => [{ column: 'RequesterName', op: 'lt', value: 'alice' }], (m) => m.RequesterName < 'alice'],
    ['ge and le on request id', () => [{ column: 'RequestID', op: 'ge', value: model[10].RequestID }, { column: 'RequestID', op: 'le', value: model[20].RequestID }], (m) => m.RequestID >= model[10].RequestID && m.RequestID <= model[20].RequestID],
    ['gt on NotAfter (rows without a certificate never match)', () => [{ column: 'NotAfter', op: 'gt', value: at(86_400 * 2, 500_000) }], (m) => m.NotAfter !== null && m.NotAfter > at(86_400 * 2, 500_000)],
    ['lt on NotAfter with a date', () => [{ column: 'NotAfter', op: 'lt', value: '2026-03-03' }], (m) => m.NotAfter !== null && m.NotAfter < '2026-03-03T00:00:00.000000Z'],
    ['eq on RevokedReason', () => [{ column: 'RevokedReason', op: 'eq', value: 6 }], (m) => m.RevokedReason === 6],
    ['serial prefix', () => [{ column: 'SerialNumber', op: 'prefix', value: '1' }], (m) => m.SerialNumber?.startsWith('1') ?? false],
    ['eq on CertificateTemplate', () => [{ column: 'CertificateTemplate', op: 'eq', value: 'User' }], (m) => m.CertificateTemplate === 'User'],
    ['the imported certificates (RequestType eq imported)', () => [{ column: 'RequestType', op: 'eq', value: 'imported' }], (m) => m.RequestType === 'imported'],
    ['Disposition by name', () => [{ column: 'Disposition', op: 'eq', value: 'denied' }], (m) => m.Disposition === 'denied'],
    ['Disposition by AD CS number (< 20: the queue)', () => [{ column: 'Disposition', op: 'lt', value: 20 }], (m) => DB_DISP[m.Disposition as keyof typeof DB_DISP] < 20],
    ['SubmittedWhen to the microsecond', () => [{ column: 'SubmittedWhen', op: 'ge', value: model[31].SubmittedWhen }], (m) => m.SubmittedWhen >= model[31].SubmittedWhen],
    ['two filters together', () => [{ column: 'RequesterName', op: 'eq', value: 'bob' }, { column: 'Disposition', op: 'eq', value: 'issued' }], (m) => m.RequesterName === 'bob' && m.Disposition === 'issued'],
  ])('filter: %s', async (_n, filters, keep) => {
    const r = await all({ filters: filters() }, 4);
    expect(r.ids).toEqual(byId(keep));
    expect(r.total).toBe(byId(keep).length);
  });

  it('counts only when asked', async () => {
    expect((await view({ limit: 1 })).total).toBeNull();
    expect((await view({ limit: 1, count: true, preset: 'revoked' })).total).toBe(model.filter((m) => m.Disposition === 'revoked').length);
  });

  it('keyset paging is stable while rows are inserted: no row of the original set repeats or goes missing', async () => {
    const query = { sort: { column: 'NotAfter' as const, direction: 'asc' as const }, limit: 9 };
    const expected = expectedOrder(model, 'NotAfter', 'asc');
    const seen: number[] = [];
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await view({ ...query, cursor });
      seen.push(...page.rows.map((r) => r.RequestID));
      // Between pages, new rows arrive: some sort before the cursor, some after, some without a certificate.
      model.push(await insert(100 + n));
      cursor = page.nextCursor ?? undefined;
      n++;
    } while (cursor);
    const original = seen.filter((id) => expected.includes(id));
    expect(original).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a cursor from another query and bad filter values (BAD_MESSAGE), and a caller without roles (FORBIDDEN)', async () => {
    const page = await view({ limit: 2, sort: { column: 'Subject', direction: 'asc' } });
    const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: SignetError) => e);
    expect(await fail(view({ limit: 2, cursor: page.nextCursor! }))).toMatchObject({ code: ErrorCode.BadMessage, message: expect.stringMatching(/different query/) });
    expect(await fail(view({ filters: [{ column: 'NotAfter', op: 'prefix', value: '2026' }] }))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await fail(h.client.call(Commands.adminView, h.ca, { actor: { name: 'x', roles: [] } }))).toMatchObject({ code: ErrorCode.Forbidden });
  });
});
