import { type ViewColumn, type ViewRequestSchema } from '@signet/contracts';
import { createHash } from 'node:crypto';
import { type z } from 'zod';
import { badValue, cast, columnValue, COLUMNS, dispositionName, dispositionsWhere, keyText } from './view-columns';

/**
 * ICertView as SQL, built from the validated request only (every value is
 * a bound parameter; column names come from a fixed table).
 *
 * Paging is keyset ("seek"): a page continues after the last row's
 * (sort value, request id), so rows inserted meanwhile never shift or
 * repeat a page, and each page is one index range scan however deep it is.
 * Rows without a value in the sort column (no certificate yet, not
 * resolved) come after all rows with one, in request id order: phase "a"
 * walks the values, phase "b" the empty ones.
 */
export type ViewQuery = z.output<typeof ViewRequestSchema>;

export interface Cursor {
  /** Fingerprint of the query the cursor belongs to. */
  f: string;
  p: 'a' | 'b';
  /** Sort value of the last row (exact text), phase a only. */
  v: string | null;
  /** Request id of the last row; null = start of phase b. */
  i: number | null;
}

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/**
 * Preset conditions as fixed SQL (no user input): written exactly like the
 * predicate of the partial queue indexes, so the planner can prove they apply.
 */
const PRESETS: Record<ViewQuery['preset'], string | null> = {
  queue: `r.disposition IN ('pending', 'in_process')`,
  issued: `r.disposition = 'issued'`,
  revoked: `r.disposition = 'revoked'`,
  failed: `r.disposition IN ('failed', 'denied')`,
  all: null,
};

export function fingerprint(q: ViewQuery): string {
  return createHash('sha256').update(JSON.stringify([q.preset, q.filters, q.sort])).digest('hex').slice(0, 16);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(q: ViewQuery, s: string): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw badValue('cursor', 'not a cursor from this view');
  }
  const idOk = c?.i === null || (Number.isSafeInteger(c?.i) && (c.i as number) > 0);
  if (!c || typeof c !== 'object' || typeof c.f !== 'string' || (c.p !== 'a' && c.p !== 'b') || !idOk) {
    throw badValue('cursor', 'not a cursor from this view');
  }
  if (c.f !== fingerprint(q)) throw badValue('cursor', 'the cursor belongs to a different query (preset, filters and sort must stay the same)');
  const def = COLUMNS[q.sort.column];
  if (c.p === 'a') {
    if (typeof c.v !== 'string' || c.i === null) throw badValue('cursor', 'not a cursor from this view');
    c.v = columnValue(q.sort.column, c.v, 'cursor');
  } else if (!def.nullable) {
    throw badValue('cursor', 'not a cursor from this view');
  }
  return c;
}

class Params {
  readonly list: unknown[] = [];
  add(v: unknown, type?: string): string {
    this.list.push(v);
    return type ? `$${this.list.length}::${type}` : `$${this.list.length}`;
  }
}

const OPS = { eq: '=', lt: '<', le: '<=', ge: '>=', gt: '>' } as const;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** WHERE conditions of the preset and the filters; reports whether any is on the certificate. */
function conditions(q: ViewQuery, ca: string, p: Params): { conds: string[]; certFilter: boolean } {
  const conds = [`r.ca_name = ${p.add(ca)}`];
  const preset = PRESETS[q.preset];
  if (preset) conds.push(preset);
  let certFilter = false;
  q.filters.forEach((f, n) => {
    const what = `filters[${n}] (${f.column} ${f.op})`;
    const def = COLUMNS[f.column];
    if (def.table === 'c') certFilter = true;
    if (def.type === 'disposition') {
      if (f.op === 'prefix') throw badValue(what, 'prefix applies to text columns only');
      conds.push(`r.disposition = ANY(${p.add(dispositionsWhere(f.op, dispositionName(f.value, what)), 'text[]')})`);
      return;
    }
    if (f.op === 'prefix' && def.type !== 'text' && def.type !== 'serial') throw badValue(what, 'prefix applies to text columns only');
    const value = columnValue(f.column, f.value, what);
    if (f.op === 'prefix') {
      conds.push(`${def.expr} LIKE ${p.add(`${escapeLike(value)}%`, 'text')}`);
      return;
    }
    conds.push(`${def.expr} ${OPS[f.op]} ${p.add(value, cast(def.type))}`);
  });
  // The certificate's own CA column lets the planner use the certificate indexes (all lead with ca_name).
  if (certFilter) conds.push(`c.ca_name = ${p.add(ca)}`);
  return { conds, certFilter };
}

const SELECT = `SELECT r.id, r.disposition, r.disposition_message, r.request_type, r.requester_name, r.template, r.subject, r.submitted_at, r.resolved_at,
  c.serial, c.not_before, c.not_after, c.revoked_at, c.revoked_reason`;

/**
 * One page of one phase. Phase a: rows with a sort value, after
 * (v, i) when given. Phase b: rows without one, after request id i.
 */
export function pageQuery(q: ViewQuery, ca: string, phase: 'a' | 'b', after: { v: string | null; i: number | null } | null, limit: number): BuiltQuery {
  const p = new Params();
  const { conds, certFilter } = conditions(q, ca, p);
  const col: ViewColumn = q.sort.column;
  const def = COLUMNS[col];
  const desc = q.sort.direction === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const cmp = desc ? '<' : '>';
  let order: string;
  if (phase === 'a') {
    if (def.nullable) conds.push(`${def.expr} IS NOT NULL`);
    if (def.table === 'c' && !certFilter) conds.push(`c.ca_name = ${p.add(ca)}`);
    // Tie-break on the id of the same table as the sort column, so one index gives the whole order.
    const tie = def.table === 'c' ? 'c.request_id' : 'r.id';
    if (after) {
      const v = p.add(after.v, cast(def.type));
      conds.push(def.unique ? `${def.expr} ${cmp} ${v}` : `(${def.expr}, ${tie}) ${cmp} (${v}, ${p.add(after.i, 'bigint')})`);
    }
    order = def.unique ? `${def.expr} ${dir}` : `${def.expr} ${dir}, ${tie} ${dir}`;
  } else {
    conds.push(`${def.expr} IS NULL`);
    if (after?.i) conds.push(`r.id ${cmp} ${p.add(after.i, 'bigint')}`);
    order = `r.id ${dir}`;
  }
  const sql = `${SELECT}, ${phase === 'a' ? keyText(def) : 'NULL::text'} AS sk
FROM request r LEFT JOIN certificate c ON c.request_id = r.id
WHERE ${conds.join(' AND ')}
ORDER BY ${order}
LIMIT ${p.add(limit, 'int')}`;
  return { sql, params: p.list };
}

/** Total rows matching the preset and filters (the certificate is joined only when filtered on). */
export function countQuery(q: ViewQuery, ca: string): BuiltQuery {
  const p = new Params();
  const { conds, certFilter } = conditions(q, ca, p);
  const from = certFilter ? 'request r JOIN certificate c ON c.request_id = r.id' : 'request r';
  return { sql: `SELECT count(*)::bigint AS n FROM ${from} WHERE ${conds.join(' AND ')}`, params: p.list };
}
