import { VIEW_COLUMNS, VIEW_ROW_COLUMNS, type ViewRow } from '@signet/contracts';
import { flag, list, str, type Context, type Verb } from '../command';
import { usage } from '../errors';
import { ExitCode, exitCodeForDisposition } from '../exit-codes';
import { csv, json, keyValues, table, type Cell } from '../output';
import { parsePairs, requestId } from './enroll';

/** A view row as admin-api sends it (JSON); in CSV, the columns are VIEW_ROW_COLUMNS in that order. */
type Row = Record<keyof ViewRow, Cell>;
interface Page {
  rows: Row[];
  nextCursor: string | null;
  total: number | null;
}

/** The columns a terminal has room for; --format csv/json carry them all. */
const TABLE_COLUMNS: [string, (r: Row) => Cell][] = [
  ['ID', (r) => r.RequestID],
  ['Disposition', (r) => r.Disposition],
  ['Template', (r) => r.CertificateTemplate],
  ['Subject', (r) => r.Subject],
  ['Serial', (r) => r.SerialNumber],
  ['NotAfter', (r) => day(r.NotAfter)],
  ['Submitted', (r) => minute(r.SubmittedWhen)],
];

const day = (t: Cell) => (typeof t === 'string' ? t.slice(0, 10) : t);
const minute = (t: Cell) => (typeof t === 'string' ? t.slice(0, 16).replace('T', ' ') : t);

function viewQuery(ctx: Context, preset: string): URLSearchParams {
  const q = new URLSearchParams({ preset });
  for (const f of list(ctx.values, 'filter')) q.append('filter', f);
  const sort = str(ctx.values, 'sort');
  if (sort) q.set('sort', sort);
  return q;
}

function showPage(ctx: Context, page: Page, format: string): void {
  if (format === 'json') {
    ctx.io.out(json(page));
  } else if (format === 'csv') {
    ctx.io.out(csv([...VIEW_ROW_COLUMNS], page.rows.map((r) => VIEW_ROW_COLUMNS.map((c) => r[c]))));
  } else {
    ctx.io.out(table(TABLE_COLUMNS.map(([h]) => h), page.rows.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))));
    const more = [page.total !== null ? `${page.total} matching` : '', page.nextCursor ? `next page: --cursor ${page.nextCursor}` : ''].filter(Boolean).join('; ');
    ctx.io.err(`${page.rows.length} row(s)${more ? `; ${more}` : ''}\n`);
  }
}

const viewOptions = {
  filter: { type: 'string', multiple: true, value: "'Col op value'", description: 'restriction on an AD CS column, e.g. "NotAfter lt 2027-01-01"; repeatable' },
  sort: { type: 'string', value: 'Col:asc|desc', description: 'sort column and direction' },
  limit: { type: 'string', value: 'n', description: 'rows per page (1-1000, default 50)' },
  cursor: { type: 'string', value: 'c', description: 'the next-page cursor printed by the previous call' },
  count: { type: 'boolean', description: 'also count every matching row' },
} as const;

function pageQuery(ctx: Context, q: URLSearchParams): URLSearchParams {
  const limit = str(ctx.values, 'limit') ?? '50';
  if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw usage('--limit: 1 to 1000');
  q.set('limit', limit);
  const cursor = str(ctx.values, 'cursor');
  if (cursor) q.set('cursor', cursor);
  if (flag(ctx.values, 'count')) q.set('count', 'true');
  return q;
}

export const pending: Verb = {
  name: 'pending',
  summary: 'Requests waiting for an officer (certutil -view Queue)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: { ...viewOptions },
  async run(ctx) {
    const page = (await ctx.http.admin<Page>('/api/v1/view', { query: pageQuery(ctx, viewQuery(ctx, 'queue')) })).body;
    showPage(ctx, page, ctx.json ? 'json' : 'table');
    return ExitCode.Ok;
  },
};

export const view: Verb = {
  name: 'view',
  summary: 'List and search requests and certificates (certutil -view)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    preset: { type: 'string', value: 'P', description: 'queue, issued, revoked, failed or all (default)' },
    ...viewOptions,
    format: { type: 'string', value: 'F', description: 'table (default), json or csv' },
    all: { type: 'boolean', description: 'every matching row, streamed (admin-api export; capped by the server)' },
  },
  help: `Columns: ${VIEW_COLUMNS.join(' ')}.\nOperators: eq lt le ge gt prefix. Example: signet view --preset issued --filter 'NotAfter lt 2027-01-01' --sort NotAfter:asc --format csv`,
  async run(ctx) {
    const format = ctx.json ? 'json' : (str(ctx.values, 'format') ?? 'table');
    if (!['table', 'json', 'csv'].includes(format)) throw usage('--format: table, json or csv');
    const q = viewQuery(ctx, str(ctx.values, 'preset') ?? 'all');
    if (flag(ctx.values, 'all')) {
      if (str(ctx.values, 'cursor') || str(ctx.values, 'limit')) throw usage('--all streams every page: no --cursor or --limit');
      return exportAll(ctx, q, format);
    }
    showPage(ctx, (await ctx.http.admin<Page>('/api/v1/view', { query: pageQuery(ctx, q) })).body, format);
    return ExitCode.Ok;
  },
};

/** Streams admin-api's export to stdout (CSV or JSON as served); a table is rendered from the JSON export. */
async function exportAll(ctx: Context, q: URLSearchParams, format: string): Promise<ExitCode> {
  q.set('format', format === 'csv' ? 'csv' : 'json');
  const res = await ctx.http.adminStream('/api/v1/view/export', q);
  if (format === 'table') {
    const body = (await res.json()) as Page & { exported: number; truncated: boolean };
    showPage(ctx, { rows: body.rows, nextCursor: null, total: body.exported }, 'table');
  } else {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) ctx.io.out(decoder.decode(chunk, { stream: true }));
  }
  if (res.headers.get('x-export-truncated') === 'true') {
    ctx.io.err(`warning: export stopped at ${res.headers.get('x-export-max-rows')} of ${res.headers.get('x-total-count')} rows; narrow it with --filter\n`);
  }
  return ExitCode.Ok;
}

interface ResultAnswer {
  requestId: number;
  disposition: string;
  message: string;
  serial?: string;
  certificate?: string;
}

function showResult(ctx: Context, r: ResultAnswer): void {
  if (ctx.json) ctx.io.out(json(r));
  else ctx.io.out(keyValues([['Request ID', r.requestId], ['Disposition', r.disposition], ['Message', r.message], ['Serial', r.serial]]));
}

export const resubmit: Verb = {
  name: 'resubmit',
  summary: 'Run the policy again on a pending or denied request (certutil -resubmit)',
  args: '<request-id>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Exit 0 issued, 4 still pending, 3 denied by the policy, 6 the request cannot be resubmitted (failed, issued, or another officer was first).',
  async run(ctx) {
    const r = (await ctx.http.admin<ResultAnswer>(`/api/v1/requests/${requestId(ctx.positionals[0])}/resubmit`, { method: 'POST' })).body;
    showResult(ctx, r);
    return exitCodeForDisposition(r.disposition);
  },
};

export const deny: Verb = {
  name: 'deny',
  summary: 'Deny a pending request (certutil -deny)',
  args: '<request-id>',
  positionals: { min: 1, max: 1 },
  options: { reason: { type: 'string', value: 'text', description: 'why, for the disposition message' } },
  help: 'Exit 0 denied, 6 the request is not pending.',
  async run(ctx) {
    const reason = str(ctx.values, 'reason');
    const r = (await ctx.http.admin<ResultAnswer>(`/api/v1/requests/${requestId(ctx.positionals[0])}/deny`, { method: 'POST', body: reason ? { reason } : {} })).body;
    showResult(ctx, r);
    return r.disposition === 'denied' ? ExitCode.Ok : ExitCode.Error;
  },
};

interface Detail {
  requestId: number;
  disposition: string;
  attributes: { name: string; value: string; origin: string }[];
  extensions: { oid: string; critical: boolean; origin: string; disabled: boolean; value: string }[];
}

function showDetail(ctx: Context, d: Detail): void {
  if (ctx.json) {
    ctx.io.out(json(d));
    return;
  }
  ctx.io.out(keyValues([['Request ID', d.requestId], ['Disposition', d.disposition]]));
  ctx.io.out(`\nAttributes\n${table(['Name', 'Value', 'Origin'], d.attributes.map((a) => [a.name, a.value, a.origin]))}`);
  ctx.io.out(`\nExtensions\n${table(['OID', 'Critical', 'Origin', 'Disabled'], d.extensions.map((e) => [e.oid, e.critical, e.origin, e.disabled]))}`);
}

export const setAttributes: Verb = {
  name: 'set-attributes',
  summary: 'Add or change attributes of a pending request (certutil -setattributes)',
  args: '<request-id> <name:value>...',
  positionals: { min: 2, max: 64 },
  options: {},
  help: 'Resubmit afterwards so the policy sees them. Exit 6 when the request is not pending.',
  async run(ctx) {
    const [id, ...pairs] = ctx.positionals;
    const body = parsePairs(pairs, 'attribute');
    showDetail(ctx, (await ctx.http.admin<Detail>(`/api/v1/requests/${requestId(id)}/attributes`, { method: 'PATCH', body })).body);
    return ExitCode.Ok;
  },
};

const VALUE_FLAGS = ['der', 'string', 'long', 'date'] as const;

export const setExtension: Verb = {
  name: 'set-extension',
  summary: 'Set an extension on a pending request (certutil -setextension)',
  args: '<request-id> <oid>',
  positionals: { min: 2, max: 2 },
  options: {
    critical: { type: 'boolean', description: 'mark it critical' },
    disabled: { type: 'boolean', description: 'keep it with the request but out of the certificate' },
    der: { type: 'string', value: 'base64', description: 'the value as DER, base64' },
    string: { type: 'string', value: 'text', description: 'the value as a string (IA5String)' },
    long: { type: 'string', value: 'n', description: 'the value as an INTEGER' },
    date: { type: 'string', value: 'iso', description: 'the value as a time (ISO 8601)' },
  },
  help: 'Give exactly one of --der, --string, --long, --date (a negative number as --long=-7). Exit 6 when the request is not pending.',
  async run(ctx) {
    const given = VALUE_FLAGS.filter((f) => str(ctx.values, f) !== undefined);
    if (given.length !== 1) throw usage('give exactly one of --der, --string, --long, --date');
    const type = given[0];
    const raw = str(ctx.values, type)!;
    if (type === 'long' && !/^-?\d{1,10}$/.test(raw)) throw usage('--long: a whole number');
    const value = type === 'long' ? Number(raw) : raw;
    const body = { critical: flag(ctx.values, 'critical'), disabled: flag(ctx.values, 'disabled'), value: { type, value } };
    const [id, oid] = ctx.positionals;
    showDetail(ctx, (await ctx.http.admin<Detail>(`/api/v1/requests/${requestId(id)}/extensions/${encodeURIComponent(oid)}`, { method: 'PUT', body })).body);
    return ExitCode.Ok;
  },
};
