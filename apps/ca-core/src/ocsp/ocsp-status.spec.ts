import { renewalDue } from './ocsp-signer.service';
import { statusOf } from './ocsp.service';

const NOW = new Date('2026-11-25T12:00:00Z');
const at = (iso: string) => new Date(iso);

describe('statusOf', () => {
  it.each<[string, Parameters<typeof statusOf>[0], ReturnType<typeof statusOf>]>([
    ['ok/no row: unknown', undefined, { kind: 'unknown' }],
    ['ok/not revoked: good', { serial: '01', revoked_at: null, effective: null, reason: null }, { kind: 'good' }],
    ['ok/revoked with reason', { serial: '01', revoked_at: at('2026-11-25T11:00:00Z'), effective: at('2026-11-25T11:00:00Z'), reason: 1 }, { kind: 'revoked', revokedAt: at('2026-11-25T11:00:00Z'), reason: 1 }],
    ['ok/hold is revoked with certificateHold', { serial: '01', revoked_at: at('2026-11-25T11:00:00Z'), effective: at('2026-11-25T11:00:00Z'), reason: 6 }, { kind: 'revoked', revokedAt: at('2026-11-25T11:00:00Z'), reason: 6 }],
    ['ok/unspecified states no reason', { serial: '01', revoked_at: at('2026-11-25T11:00:00Z'), effective: at('2026-11-25T10:00:00Z'), reason: 0 }, { kind: 'revoked', revokedAt: at('2026-11-25T10:00:00Z') }],
    ['ok/effective later: still good', { serial: '01', revoked_at: at('2026-11-25T11:00:00Z'), effective: at('2026-11-26T00:00:00Z'), reason: 5 }, { kind: 'good' }],
  ])('%s', (_n, row, expected) => expect(statusOf(row, NOW)).toEqual(expected));
});

describe('renewalDue', () => {
  const nb = at('2026-11-01T00:00:00Z');
  const na = at('2026-12-01T00:00:00Z'); // 30 days
  it.each([
    ['ok/fresh', at('2026-11-02T00:00:00Z'), false],
    ['ok/just before two thirds', at('2026-11-20T23:59:59Z'), false],
    ['ok/at two thirds', at('2026-11-21T00:00:00Z'), true],
    ['ok/expired', at('2026-12-05T00:00:00Z'), true],
  ])('%s', (_n, now, due) => expect(renewalDue(now as Date, nb, na)).toBe(due));
});
