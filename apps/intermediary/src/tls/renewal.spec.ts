import { MAX_TIMER_MS, nextTimerDelay, renewalTime } from './renewal';

const DAY = 86_400_000;
const T0 = new Date('2026-12-01T00:00:00Z');

describe('renewalTime', () => {
  it.each([
    ['ok/2/3 of 30 days is day 20', 30, 2 / 3, 20],
    ['ok/half of 90 days is day 45', 90, 0.5, 45],
    ['ok/a tiny fraction renews almost at once', 30, 0.00001, 30 * 0.00001],
  ])('%s', (_name, days, fraction, expectedDays) => {
    expect(renewalTime(T0, new Date(T0.getTime() + days * DAY), fraction).getTime()).toBeCloseTo(T0.getTime() + expectedDays * DAY, -1);
  });

  it('ok/an inverted validity renews at notBefore', () => {
    expect(renewalTime(T0, new Date(T0.getTime() - DAY), 0.5)).toEqual(T0);
  });
});

describe('nextTimerDelay', () => {
  it.each([
    ['ok/in the future', 5_000, 5_000],
    ['ok/in the past is now', -5_000, 0],
    ['ok/beyond a timer is taken in steps', 40 * DAY, MAX_TIMER_MS],
  ])('%s', (_name, offset, expected) => {
    expect(nextTimerDelay(new Date(T0.getTime() + offset), T0)).toBe(expected);
  });
});
