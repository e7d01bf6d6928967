import { ACTIONS, CERTIFICATE_HOLD, STATES, transition, type RequestAction } from './request-state';

// Every allowed transition, written out; everything else must be refused.
const ALLOWED: Array<[string, RequestAction, string]> = [
  ['in_process', 'issue', 'issued'],
  ['in_process', 'pend', 'pending'],
  ['in_process', 'deny', 'denied'],
  ['in_process', 'fail', 'failed'],
  ['in_process', 'park', 'pending'],
  ['pending', 'resubmit', 'in_process'],
  ['pending', 'resume', 'in_process'],
  ['denied', 'resubmit', 'in_process'],
  ['pending', 'admin-deny', 'denied'],
  ['pending', 'edit', 'pending'],
  ['issued', 'revoke', 'revoked'],
  ['revoked', 'revoke', 'revoked'],
];

describe('request state machine', () => {
  it.each(ALLOWED)('ok/%s --%s--> %s', (from, action, to) => {
    expect(transition(from as never, action, { revokedReason: CERTIFICATE_HOLD })).toEqual({ ok: true, to });
  });

  const refused = STATES.flatMap((from) =>
    ACTIONS.filter((a) => a !== 'release' && !ALLOWED.some(([f, act]) => f === from && act === a)).map((a) => [from, a] as const),
  );
  it.each(refused)('fail/%s --%s--> refused', (from, action) => {
    const r = transition(from, action);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(from);
  });

  it('ok/revoked(hold) --release--> issued', () => {
    expect(transition('revoked', 'release', { revokedReason: CERTIFICATE_HOLD })).toEqual({ ok: true, to: 'issued' });
  });
  it.each([0, 1, 4, 5, null])('fail/release of a revocation with reason %s', (reason) => {
    expect(transition('revoked', 'release', { revokedReason: reason }).ok).toBe(false);
  });
  it.each(STATES.filter((s) => s !== 'revoked'))('fail/release from %s', (from) => {
    expect(transition(from, 'release', { revokedReason: CERTIFICATE_HOLD }).ok).toBe(false);
  });
  it('fail/failed is final', () => {
    for (const a of ACTIONS) expect(transition('failed', a, { revokedReason: CERTIFICATE_HOLD }).ok).toBe(false);
  });
});
