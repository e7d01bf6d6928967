import type { ValidationError } from './challenge-validator';

/** A failed check, thrown inside the validator and turned into a ValidationResult at its edge. */
export class ValidationFailure extends Error {
  constructor(
    readonly type: ValidationError['type'],
    readonly detail: string,
    /** The socket error code behind a connection failure (ECONNREFUSED, ...). */
    readonly code?: string,
  ) {
    super(detail);
    this.name = 'ValidationFailure';
  }
}

export const fail = (type: ValidationError['type'], detail: string, code?: string): ValidationFailure => new ValidationFailure(type, detail, code);

/**
 * Remote data for a detail: at most `max` characters, quoted with control
 * and non-ASCII characters escaped, marked when cut. A detail reaches the
 * ACME client and the audit log, so it never carries unbounded or raw bytes.
 */
export function quote(text: string, max = 64): string {
  const cut = text.length > max;
  const shown = JSON.stringify(cut ? text.slice(0, max) : text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${shown}… (${text.length} characters, truncated)` : shown;
}

/** The time one validation may still take; every lookup, connection and read draws on it. */
export class Deadline {
  private readonly end: number;

  constructor(readonly totalMs: number) {
    this.end = Date.now() + totalMs;
  }

  remaining(): number {
    return Math.max(0, this.end - Date.now());
  }

  /** Throws a timeout failure of `type` when the time is up. */
  check(type: ValidationError['type'], what: string): number {
    const left = this.remaining();
    if (left <= 0) throw fail(type, `${what}: timed out (the validation may take ${this.totalMs} ms)`);
    return left;
  }
}
