import { ENROLLMENT_SECRET_ID_PATTERN, ENROLLMENT_SECRET_PATTERN } from '@signet/contracts';
import { credentialSha256, newEnrollmentSecret, secretHolds, stateOf, type StoredSecret } from './enrollment-secret';

const NOW = new Date('2027-01-10T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe('newEnrollmentSecret', () => {
  it('ok/an id and 256 random bits in hex; the credential is <id>:<secret>, all PrintableString', () => {
    const a = newEnrollmentSecret();
    const b = newEnrollmentSecret();
    expect(a.id).toMatch(ENROLLMENT_SECRET_ID_PATTERN);
    expect(a.secret).toMatch(ENROLLMENT_SECRET_PATTERN);
    expect(a.credential).toBe(`${a.id}:${a.secret}`);
    // PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
    expect(a.credential).toMatch(/^[A-Za-z0-9 '()+,\-./:=?]+$/);
    expect(a.credential.length).toBeLessThanOrEqual(255);
    expect(b.id).not.toBe(a.id);
    expect(b.secret).not.toBe(a.secret);
  });
});

describe('secretHolds', () => {
  const { id, secret } = newEnrollmentSecret();
  const row: StoredSecret = { secretSha256: credentialSha256(id, secret), expiresAt: later(60_000), usedAt: null, revokedAt: null };
  it.each<[string, { id: string; secret: string }, StoredSecret | undefined, boolean]>([
    ['ok/the right secret, unexpired, unused, unrevoked', { id, secret }, row, true],
    ['fail/a wrong secret', { id, secret: secret.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, row, false],
    ['fail/no such row', { id, secret }, undefined, false],
    ['fail/expired (at the very instant)', { id, secret }, { ...row, expiresAt: NOW }, false],
    ['fail/revoked', { id, secret }, { ...row, revokedAt: NOW }, false],
    ['fail/used', { id, secret }, { ...row, usedAt: NOW }, false],
    ['fail/used, by a request under another key', { id, secret }, { ...row, usedAt: NOW, spentByRetried: false }, false],
    ['ok/used by the very request a retry names, even expired since', { id, secret }, { ...row, usedAt: NOW, expiresAt: NOW, spentByRetried: true }, true],
    ['fail/a retry with a wrong secret', { id, secret: secret.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, { ...row, usedAt: NOW, spentByRetried: true }, false],
    ['fail/upper-case hex is not the secret handed out', { id, secret: secret.toUpperCase() }, row, false],
    ['fail/malformed id', { id: 'x', secret }, row, false],
  ])('%s', (_n, presented, r, ok) => expect(secretHolds(presented, r, NOW)).toBe(ok));
});

describe('stateOf', () => {
  const base = { revokedAt: null, usedAt: null, expiresAt: later(1).toISOString() };
  it.each([
    ['ok/active', base, 'active'],
    ['ok/expired', { ...base, expiresAt: NOW.toISOString() }, 'expired'],
    ['ok/used beats expired', { ...base, usedAt: NOW.toISOString(), expiresAt: NOW.toISOString() }, 'used'],
    ['ok/revoked beats everything', { ...base, usedAt: NOW.toISOString(), revokedAt: NOW.toISOString() }, 'revoked'],
  ] as const)('%s', (_n, r, state) => expect(stateOf(r, NOW)).toBe(state));
});
