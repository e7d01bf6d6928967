import { VIEW_ROW_COLUMNS, type ViewRow } from '@signet/contracts';

/** The export's columns: every view row column, in AD CS names and certutil -view order. */
export const CSV_COLUMNS = VIEW_ROW_COLUMNS;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line
 * break. Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab, CR at the start: subjects and requester names come from enrollees)
 * is prefixed with `'`, the OWASP advice against CSV injection.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(row: ViewRow): string {
  return `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}
