import { validate } from '@signet/http';
import { parseReason, reasonName, RevokeBodySchema } from './revoke-input';

/** The body as the revoke route gets it (its pipe; none counts as `{}`). */
const revokeFromBody = (body: unknown) => validate(RevokeBodySchema, body, { absent: {} });

describe('parseReason', () => {
  it.each([
    ['ok/default unspecified', undefined, 0],
    ['ok/number', 1, 1],
    ['ok/numeric string', '6', 6],
    ['ok/name', 'keyCompromise', 1],
    ['ok/name any case', 'CESSATIONOFOPERATION', 5],
    ['ok/aACompromise', 'aACompromise', 10],
  ])('%s', (_n, raw, code) => expect(parseReason(raw)).toBe(code));

  it.each([
    ['fail/7 unused', 7],
    ['fail/removeFromCRL', 'removeFromCRL'],
    ['fail/negative', -1],
    ['fail/11', 11],
    ['fail/fraction', 1.5],
    ['fail/unknown name', 'stolen'],
  ])('%s', (_n, raw) => expect(() => parseReason(raw)).toThrow(expect.objectContaining({ details: { field: 'reason' } })));
});

describe('revokeFromBody', () => {
  it('ok/dates kept as given', () => {
    expect(revokeFromBody({ reason: 'superseded', effectiveAt: '2026-01-01T00:00:00Z' })).toEqual({ reason: 4, effectiveAt: '2026-01-01T00:00:00Z' });
  });
  it('fail/unknown field', () => expect(() => revokeFromBody({ when: 'now' })).toThrow(/unknown field/));
  it('ok/reasonName', () => expect([reasonName(6), reasonName(undefined), reasonName(99)]).toEqual(['certificateHold', undefined, undefined]));
});
