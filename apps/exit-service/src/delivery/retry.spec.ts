import { backoffTable, heartbeatMs, maxDeliver, nakDelay } from './retry';

const r = (o: Partial<Parameters<typeof backoffTable>[0]> = {}) => ({ attempts: 5, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 10_000, jitter: 0.2, ...o });

describe('redelivery schedule', () => {
  it.each([
    ['ok/exponential', r(), [1000, 2000, 4000, 8000, 10_000]],
    ['ok/constant', r({ multiplier: 1, attempts: 3 }), [1000, 1000, 1000]],
    ['ok/one attempt', r({ attempts: 1 }), [1000]],
    ['ok/capped from the start', r({ initialDelayMs: 20_000, maxDelayMs: 5_000, attempts: 2 }), [5000, 5000]],
  ])('%s', (_n, settings, table) => {
    expect(backoffTable(settings)).toEqual(table);
    // the consumer's max_deliver must exceed its backoff list (nats-server rule), by the one sentinel delivery
    expect(maxDeliver(settings)).toBe(table.length + 1);
  });

  it.each([
    ['ok/no jitter, first failure', r({ jitter: 0 }), 1, 0.9, 1000],
    ['ok/no jitter, third failure', r({ jitter: 0 }), 3, 0.1, 4000],
    ['ok/lowest jitter', r(), 2, 0, 1600],
    ['ok/highest jitter', r(), 2, 1, 2400],
    ['ok/past the table stays at the last entry', r({ jitter: 0 }), 9, 0.5, 10_000],
  ])('%s', (_n, settings, dc, rand, delay) => {
    expect(nakDelay(settings, dc, () => rand)).toBe(delay);
  });

  it('ok/delays grow even with the largest jitter when the multiplier is 2 and jitter ≤ 0.33', () => {
    const s = r({ jitter: 0.33, maxDelayMs: 1e9 });
    for (let dc = 1; dc < 5; dc++) expect(nakDelay(s, dc, () => 1)).toBeLessThan(nakDelay(s, dc + 1, () => 0));
  });

  it('ok/heartbeat well inside the shortest wait, within bounds', () => {
    expect(heartbeatMs(r())).toBe(333);
    expect(heartbeatMs(r({ initialDelayMs: 50 }))).toBe(25);
    expect(heartbeatMs(r({ initialDelayMs: 60_000, maxDelayMs: 60_000 }))).toBe(5000);
  });
});
