import { Disposition } from '@signet/contracts';

/**
 * The request lifecycle of AD CS as a pure table (no I/O). Persistence
 * applies a transition under a row lock, so two admins or two replicas can
 * never both act on one request.
 *
 *   (new) ─submit→ in_process ─issue→ issued ─revoke→ revoked ─revoke→ revoked
 *                     │ ─pend→ pending ─resubmit→ in_process        │
 *                     │ ─park→ pending ─resume→ in_process (interrupted only)
 *                     │            └─deny→ denied ─resubmit→ in_process
 *                     │ ─deny→ denied                               │
 *                     └ ─fail→ failed (final)        revoked(hold) ─release→ issued
 */
export const RequestAction = {
  Issue: 'issue',
  Pend: 'pend',
  Deny: 'deny',
  Fail: 'fail',
  /** Policy unreachable: keep the request, park it for a resubmit. */
  Park: 'park',
  Resubmit: 'resubmit',
  /**
   * The submitter's retry (same idempotency key) of a request parked because
   * its processing was interrupted — not decided — carries on with it
   * (ADR 0037). Only rows marked resumable; the store checks the mark.
   */
  Resume: 'resume',
  AdminDeny: 'admin-deny',
  Edit: 'edit',
  Revoke: 'revoke',
  Release: 'release',
} as const;
export type RequestAction = (typeof RequestAction)[keyof typeof RequestAction];

type State = Disposition;

const TABLE: Record<RequestAction, Partial<Record<State, State>>> = {
  issue: { in_process: 'issued' },
  pend: { in_process: 'pending' },
  deny: { in_process: 'denied' },
  fail: { in_process: 'failed' },
  park: { in_process: 'pending' },
  // MS-CSRA allows resubmitting denied requests as well as pending ones.
  resubmit: { pending: 'in_process', denied: 'in_process' },
  resume: { pending: 'in_process' },
  'admin-deny': { pending: 'denied' },
  // Attributes and extensions change on pending requests only.
  edit: { pending: 'pending' },
  // Repeatable: a second revoke changes the reason or date.
  revoke: { issued: 'revoked', revoked: 'revoked' },
  release: { revoked: 'issued' },
};

export type TransitionResult = { ok: true; to: State } | { ok: false; reason: string };

/** RFC 5280 CRLReason certificateHold: the only revocation that can be released. */
export const CERTIFICATE_HOLD = 6;

export function transition(from: State, action: RequestAction, ctx: { revokedReason?: number | null } = {}): TransitionResult {
  const to = TABLE[action][from];
  if (!to) {
    return { ok: false, reason: `cannot ${action} a request that is ${from}` };
  }
  if (action === RequestAction.Release && ctx.revokedReason !== CERTIFICATE_HOLD) {
    return { ok: false, reason: 'only a certificate on hold (reason 6) can be released' };
  }
  return { ok: true, to };
}

/** Every state a request can be in, for table tests and views. */
export const STATES: readonly State[] = Object.values(Disposition);
export const ACTIONS: readonly RequestAction[] = Object.values(RequestAction);
