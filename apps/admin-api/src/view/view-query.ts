import { DISPOSITIONS, VIEW_COLUMNS, VIEW_PRESETS, type ViewColumn } from '@signet/contracts';
import { badField, queryBool, queryInt, queryList, queryOne } from '@signet/http';
import { z } from 'zod';
import { parseReason } from '../certificates/revoke-input';

/** One restriction (ICertView::SetRestriction) on an AD CS column. */
export interface ViewFilter {
  column: ViewColumn;
  op: FilterOp;
  value: string | number;
}
export type FilterOp = 'eq' | 'lt' | 'le' | 'ge' | 'gt' | 'prefix';

export interface ViewQuery {
  preset: (typeof VIEW_PRESETS)[number];
  filters: ViewFilter[];
  sort: { column: ViewColumn; direction: 'asc' | 'desc' };
  limit: number;
  cursor?: string;
  count: boolean;
}

export const MAX_FILTERS = 16;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const OPS: Record<string, FilterOp> = { eq: 'eq', '=': 'eq', '==': 'eq', lt: 'lt', '<': 'lt', le: 'le', '<=': 'le', ge: 'ge', '>=': 'ge', gt: 'gt', '>': 'gt', prefix: 'prefix' };
const INTEGER_COLUMNS: ReadonlySet<ViewColumn> = new Set(['RequestID', 'RevokedReason']);
const TIME_COLUMNS: ReadonlySet<ViewColumn> = new Set(['NotBefore', 'NotAfter', 'SubmittedWhen', 'ResolvedWhen', 'RevokedWhen']);
const TEXT_COLUMNS: ReadonlySet<ViewColumn> = new Set(['RequesterName', 'CertificateTemplate', 'Subject', 'SerialNumber']);
const COLUMN_BY_NAME = new Map(VIEW_COLUMNS.map((c) => [c.toLowerCase(), c]));

/** An AD CS column name, any case, with or without certutil's `Request.` prefix. */
export function parseColumn(raw: string, field: string): ViewColumn {
  const name = raw.trim().replace(/^request\./i, '').toLowerCase();
  const column = COLUMN_BY_NAME.get(name);
  if (!column) throw badField(field, `unknown column "${raw.slice(0, 64)}"; columns: ${VIEW_COLUMNS.join(', ')}`);
  return column;
}

/**
 * One `?filter=` value: `Column op value`, e.g. `Disposition eq pending`,
 * `NotAfter lt 2027-01-01`, `Subject prefix CN=build`. Operators are
 * eq lt le ge gt prefix (or = < <= >= >). The value is the rest of the text
 * (quotes around it are dropped) and is typed by the column: numbers for
 * RequestID/RevokedReason (reason names too), ISO dates for the time
 * columns, a disposition name for Disposition, lower-case hex for SerialNumber.
 */
export function parseFilter(raw: string): ViewFilter {
  const m = /^\s*([A-Za-z.]+)\s+(eq|lt|le|ge|gt|prefix|==|=|<=|>=|<|>)\s+(.*?)\s*$/i.exec(raw);
  if (!m) throw badField('filter', 'expected "Column op value", e.g. "Disposition eq pending"');
  const column = parseColumn(m[1], 'filter');
  const op = OPS[m[2].toLowerCase()];
  const text = m[3].replace(/^(['"])(.*)\1$/, '$2');
  if (text.length > 1024) throw badField('filter', 'value longer than 1024 characters');
  if (op === 'prefix' && !TEXT_COLUMNS.has(column)) throw badField('filter', `prefix applies to ${[...TEXT_COLUMNS].join(', ')} only`);
  return { column, op, value: filterValue(column, op, text) };
}

function filterValue(column: ViewColumn, op: FilterOp, text: string): string | number {
  if (column === 'RevokedReason') return parseReason(text);
  if (INTEGER_COLUMNS.has(column)) {
    if (!/^\d{1,15}$/.test(text)) throw badField('filter', `${column} takes a whole number`);
    return Number(text);
  }
  if (TIME_COLUMNS.has(column)) return parseTime(text, column);
  if (column === 'Disposition') {
    const d = text.toLowerCase().replace(/[\s-]/g, '_');
    if (!(DISPOSITIONS as readonly string[]).includes(d)) throw badField('filter', `Disposition is one of ${DISPOSITIONS.join(', ')}`);
    if (op !== 'eq') throw badField('filter', 'Disposition compares with eq only');
    return d;
  }
  if (column === 'SerialNumber') {
    const hex = text.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]*$/.test(hex) || hex === '') throw badField('filter', 'SerialNumber takes hex digits');
    return hex;
  }
  return text;
}

/** `2027-01-01` (midnight UTC) or a full ISO 8601 time with an offset; answered in UTC. */
export function parseTime(text: string, field: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  const t = dateOnly ? Date.parse(`${text}T00:00:00Z`) : full ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) throw badField('filter', `${field} takes a date (2027-01-01) or an ISO 8601 time with offset`);
  return new Date(t).toISOString();
}

/** `?sort=NotAfter:desc` (direction optional, default asc). */
export function parseSort(raw: string | undefined): ViewQuery['sort'] {
  if (raw === undefined || raw === '') return { column: 'RequestID', direction: 'desc' };
  const [col, dir, extra] = raw.split(':');
  if (extra !== undefined) throw badField('sort', 'expected Column or Column:asc|desc');
  const direction = (dir ?? 'asc').toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') throw badField('sort', 'direction is asc or desc');
  return { column: parseColumn(col, 'sort'), direction };
}

const FILTER_TEXT = `Repeatable: \`Column op value\` with op eq, lt, le, ge, gt, prefix (or = < <= >= >). Columns: ${VIEW_COLUMNS.join(', ')}. Example: \`Disposition eq pending\`, \`NotAfter lt 2027-01-01\`.`;

/** Which rows (ICertView restrictions) and in what order: shared by the view and its export. */
const ViewSelectionShape = {
  preset: queryOne(z.enum(VIEW_PRESETS))
    .optional()
    .meta({ description: 'queue (pending, in process), issued, revoked, failed (failed and denied), all (the default)' }),
  filter: queryList(z.string(), MAX_FILTERS).meta({ description: FILTER_TEXT }),
  sort: queryOne(z.string()).optional().meta({ description: '`Column:asc|desc` (default RequestID:desc)' }),
};

/** `GET /api/v1/view`: the selection, and one page of it. */
export const ViewQuerySchema = z.object({
  ...ViewSelectionShape,
  limit: queryInt(1, MAX_LIMIT).meta({ description: `Rows per page (default ${DEFAULT_LIMIT})` }),
  cursor: queryOne(z.string().min(1, 'must be the nextCursor of an earlier page').max(2048, 'must be the nextCursor of an earlier page'))
    .optional()
    .meta({ description: '`nextCursor` of the previous page' }),
  count: queryBool(false).meta({ description: 'Also count every matching row' }),
});

/**
 * `GET /api/v1/view/export`: the selection, every page. Paging parameters
 * are refused rather than ignored, so nobody believes they got one page.
 */
export const ExportQuerySchema = z
  .looseObject({
    ...ViewSelectionShape,
    format: queryOne(z.enum(['csv', 'json'])).optional().meta({ description: 'csv (default) or json' }),
    maxRows: queryInt(1, Number.MAX_SAFE_INTEGER).meta({ description: 'Lower the row cap (SIGNET_EXPORT_MAX_ROWS) for this export' }),
  })
  .superRefine((q, ctx) => {
    if (q.limit !== undefined) ctx.addIssue({ code: 'custom', path: ['limit'], message: 'an export streams every page; use maxRows to cap it' });
    if (q.cursor !== undefined) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'an export always starts at the first row' });
    // An export always counts; a `count` is accepted as on the view, and checked as there.
    const count = queryBool(false).safeParse(q.count);
    if (!count.success) ctx.addIssue({ code: 'custom', path: ['count'], message: count.error.issues[0]!.message });
  });

/** The validated selection → ICertView's restrictions (the filter and sort grammar). */
export function viewSelection(q: { preset?: ViewQuery['preset']; filter: string[]; sort?: string }): Pick<ViewQuery, 'preset' | 'filters' | 'sort'> {
  return { preset: q.preset ?? 'all', filters: q.filter.map(parseFilter), sort: parseSort(q.sort) };
}

/** The whole ICertView query, once ViewQuerySchema has checked it. */
export function viewQuery(q: z.output<typeof ViewQuerySchema>): ViewQuery {
  return { ...viewSelection(q), limit: q.limit ?? DEFAULT_LIMIT, ...(q.cursor ? { cursor: q.cursor } : {}), count: q.count };
}
