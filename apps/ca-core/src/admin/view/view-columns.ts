import { DB_DISP, DISPOSITIONS, ErrorCode, SignetError, type Disposition, type ViewColumn } from '@signet/contracts';

/**
 * The AD CS view columns (ICertView names) and where they live. The view is
 * AD CS's request+certificate table: `request r LEFT JOIN certificate c`.
 * Text columns compare in the "C" collation (byte order), the collation
 * their indexes are built with, so prefix search can use them and paging
 * does not depend on the database's locale.
 */
export type ColumnType = 'int' | 'text' | 'time' | 'serial' | 'disposition';

export interface ColumnDef {
  table: 'r' | 'c';
  /** SQL expression used to filter, sort and page. */
  expr: string;
  type: ColumnType;
  /** Rows without a value exist (no certificate yet, not resolved, no template). */
  nullable: boolean;
  /** Unique per CA: no tie-breaker needed when sorting on it. */
  unique: boolean;
}

export const COLUMNS: Record<ViewColumn, ColumnDef> = {
  RequestID: { table: 'r', expr: 'r.id', type: 'int', nullable: false, unique: true },
  Disposition: { table: 'r', expr: 'r.disposition', type: 'disposition', nullable: false, unique: false },
  RequesterName: { table: 'r', expr: '(r.requester_name COLLATE "C")', type: 'text', nullable: false, unique: false },
  CertificateTemplate: { table: 'r', expr: '(r.template COLLATE "C")', type: 'text', nullable: true, unique: false },
  Subject: { table: 'r', expr: '(r.subject COLLATE "C")', type: 'text', nullable: false, unique: false },
  SerialNumber: { table: 'c', expr: '(c.serial COLLATE "C")', type: 'serial', nullable: true, unique: true },
  NotBefore: { table: 'c', expr: 'c.not_before', type: 'time', nullable: true, unique: false },
  NotAfter: { table: 'c', expr: 'c.not_after', type: 'time', nullable: true, unique: false },
  SubmittedWhen: { table: 'r', expr: 'r.submitted_at', type: 'time', nullable: false, unique: false },
  ResolvedWhen: { table: 'r', expr: 'r.resolved_at', type: 'time', nullable: true, unique: false },
  RevokedWhen: { table: 'c', expr: 'c.revoked_at', type: 'time', nullable: true, unique: false },
  RevokedReason: { table: 'c', expr: 'c.revoked_reason', type: 'int', nullable: true, unique: false },
  RequestType: { table: 'r', expr: '(r.request_type COLLATE "C")', type: 'text', nullable: false, unique: false },
};

/** SQL cast for a bound parameter of this column type. */
export function cast(type: ColumnType): string {
  return type === 'int' ? 'bigint' : type === 'time' ? 'timestamptz' : 'text';
}

/** The sort value as exact text (timestamps with microseconds), for the cursor. */
export function keyText(def: ColumnDef): string {
  if (def.type === 'time') return `to_char(${def.expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  return `(${def.expr})::text`;
}

/** A time with an explicit offset (never the session's time zone), or a date meaning 00:00 UTC. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function badValue(what: string, message: string): SignetError {
  return new SignetError(ErrorCode.BadMessage, `${what}: ${message}`);
}

/** A filter or cursor value, checked against the column type and turned into its SQL parameter. */
export function columnValue(column: ViewColumn, raw: string | number, what: string): string {
  const def = COLUMNS[column];
  switch (def.type) {
    case 'int': {
      const s = typeof raw === 'number' ? String(raw) : raw.trim();
      if (!/^-?\d{1,18}$/.test(s)) throw badValue(what, `${column} needs an integer`);
      return s;
    }
    case 'time': {
      const s = typeof raw === 'string' && ISO_DATE.test(raw) ? `${raw}T00:00:00Z` : raw;
      if (typeof s !== 'string' || !ISO_TIME.test(s) || !Number.isFinite(Date.parse(s))) {
        throw badValue(what, `${column} needs an ISO 8601 time with an offset (2026-01-31T12:00:00Z) or a date (2026-01-31)`);
      }
      return s;
    }
    case 'serial': {
      const s = String(raw).toLowerCase();
      if (!/^[0-9a-f]{0,64}$/.test(s)) throw badValue(what, `${column} needs hexadecimal digits`);
      return s;
    }
    case 'text':
      if (typeof raw !== 'string') throw badValue(what, `${column} needs a string`);
      // What PostgreSQL cannot hold in text cannot be in a row either; a cursor is input like a filter (ADR 0022).
      if (raw.includes('\0') || /[\ud800-\udfff]/u.test(raw)) throw badValue(what, `${column} cannot hold NUL or a lone surrogate`);
      return raw;
    case 'disposition':
      return dispositionName(raw, what);
  }
}

/** A disposition as its name; AD CS numbers (DB_DISP_*, e.g. 9 = pending) are accepted too. */
export function dispositionName(raw: string | number, what: string): Disposition {
  if (typeof raw === 'string' && (DISPOSITIONS as readonly string[]).includes(raw)) return raw as Disposition;
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  const found = DISPOSITIONS.find((d) => DB_DISP[d] === n);
  if (!found) throw badValue(what, `Disposition is one of ${DISPOSITIONS.join(', ')} (or its AD CS number)`);
  return found;
}

/**
 * AD CS filters dispositions numerically ("Disposition < 20" is the queue):
 * the comparison is made on DB_DISP_* and turned into the set of names.
 */
export function dispositionsWhere(op: 'eq' | 'lt' | 'le' | 'ge' | 'gt', d: Disposition): Disposition[] {
  const v = DB_DISP[d];
  const test: Record<typeof op, (x: number) => boolean> = {
    eq: (x) => x === v,
    lt: (x) => x < v,
    le: (x) => x <= v,
    ge: (x) => x >= v,
    gt: (x) => x > v,
  };
  return DISPOSITIONS.filter((x) => test[op](DB_DISP[x]));
}
