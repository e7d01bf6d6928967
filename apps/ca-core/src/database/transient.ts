import { SignetError } from '@signet/contracts';

/**
 * Whether a database failure may go away by itself, so that the work is
 * worth doing again later rather than giving up on it: SQLSTATE classes 08
 * (connection exception), 40 (serialization failure, deadlock), 53
 * (insufficient resources) and 57P (the server shutting down or starting),
 * and a connection the driver lost without a SQLSTATE. Anything else — a
 * value the database refuses (class 22), a broken constraint, a bug — fails
 * the same way every time.
 */
export function isTransientDatabaseError(e: unknown): boolean {
  if (e instanceof SignetError) return false;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|40|53|57P)/.test(code);
  return /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect/i.test((e as Error | undefined)?.message ?? '');
}
