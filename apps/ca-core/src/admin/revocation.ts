import { REVOCATION_REASONS } from '@signet/contracts';
import { CERTIFICATE_HOLD } from '../requests/request-state';

/** RFC 5280 CRLReason names by code, for messages and audit details. */
export const REASON_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(REVOCATION_REASONS).map(([name, code]) => [code, name]));

export function reasonName(code: number | null | undefined): string {
  return code === null || code === undefined ? 'none' : (REASON_NAMES[code] ?? `reason ${code}`);
}

export type RevocationCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a (re-)revocation may change the current one. AD CS lets a
 * revocation be repeated to change its reason or date; the one change it
 * must not allow is putting a permanently revoked certificate on hold,
 * because a hold can be released — that would un-revoke, say, a
 * compromised key.
 */
export function checkRevocation(current: { revoked: boolean; reason: number | null }, next: number): RevocationCheck {
  if (current.revoked && current.reason !== CERTIFICATE_HOLD && next === CERTIFICATE_HOLD) {
    return {
      ok: false,
      reason: `the certificate is revoked for ${reasonName(current.reason)}, which is final; it cannot be put on hold`,
    };
  }
  return { ok: true };
}
