/** Where a run writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Reads a file (or stdin for "-"). */
  readFile(path: string): Buffer;
  /**
   * Writes a file. With `mode` (a private key: 0o600) the content goes to a
   * new file of that mode first, which then replaces `path`: an existing
   * file's wider mode is never kept, and a reader never sees half a file.
   */
  writeFile(path: string, content: string, mode?: number): void;
  /** Creates a directory and its parents (mode 0o700 for those it makes); fine if it exists. */
  makeDir(path: string): void;
  removeFile(path: string): void;
  /** Waits between polls; tests pass one that returns at once. */
  sleep(ms: number): Promise<void>;
  env: NodeJS.ProcessEnv;
}

export type Cell = string | number | boolean | null | undefined;

/** Shortens a cell for a terminal table; full values are in --json. */
export function clip(value: Cell, max = 48): string {
  const s = value === null || value === undefined ? '' : String(value).replace(/[\r\n\t]+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A left-aligned text table with a header row and a rule under it. */
export function table(headers: string[], rows: Cell[][], max = 48): string {
  const cells = rows.map((r) => headers.map((_, i) => clip(r[i], max)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** `Key: value` lines, aligned; absent values are left out. */
export function keyValues(pairs: [string, Cell][]): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${String(v)}`).join('\n') + '\n';
}

/** An ISO 8601 time to the second, for a table (`2026-01-02 03:04:05`). */
export function second(time: string): string {
  return time.slice(0, 19).replace('T', ' ');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** RFC 4180 cell, the same neutralisation of spreadsheet formulas as admin-api's export. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(headers: string[], rows: Cell[][]): string {
  return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
