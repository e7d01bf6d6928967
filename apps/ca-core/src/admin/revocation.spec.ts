import { checkRevocation, reasonName } from './revocation';

describe('checkRevocation (repeatable revoke)', () => {
  const ok = { ok: true };
  it.each<[string, { revoked: boolean; reason: number | null }, number, boolean]>([
    ['ok/first revocation, any reason', { revoked: false, reason: null }, 1, true],
    ['ok/first revocation on hold', { revoked: false, reason: null }, 6, true],
    ['ok/hold → keyCompromise (a hold may become final)', { revoked: true, reason: 6 }, 1, true],
    ['ok/hold → hold again (new date)', { revoked: true, reason: 6 }, 6, true],
    ['ok/superseded → keyCompromise (reason changed)', { revoked: true, reason: 4 }, 1, true],
    ['fail/keyCompromise → hold (would make a compromised key releasable)', { revoked: true, reason: 1 }, 6, false],
    ['fail/unspecified → hold', { revoked: true, reason: 0 }, 6, false],
  ])('%s', (_n, current, next, allowed) => {
    const r = checkRevocation(current, next);
    if (allowed) expect(r).toEqual(ok);
    else expect(r).toEqual({ ok: false, reason: expect.stringMatching(/which is final; it cannot be put on hold/) });
  });

  it('names reasons as RFC 5280 does', () => {
    expect([0, 1, 6, 9, 10, null].map(reasonName)).toEqual(['unspecified', 'keyCompromise', 'certificateHold', 'privilegeWithdrawn', 'aACompromise', 'none']);
  });
});
