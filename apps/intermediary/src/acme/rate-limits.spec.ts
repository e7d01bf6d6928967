import { checkLimit } from './rate-limits';
import { AcmeProblem } from './problem';

describe('checkLimit', () => {
  it.each([
    ['ok/under the limit', 1, 1, 3, true],
    ['ok/reaching it exactly', 2, 1, 3, true],
    ['ok/no limit (0)', 1000, 1, 0, true],
    ['fail/passing it', 3, 1, 3, false],
    ['fail/an order whose identifiers would pass it', 1, 5, 3, false],
  ])('%s', (_n, count, adding, limit, passes) => {
    const run = () => checkLimit('things', count, adding, limit, 42);
    if (passes) expect(run).not.toThrow();
    else {
      try {
        run();
        throw new Error('passed');
      } catch (e) {
        expect(e).toBeInstanceOf(AcmeProblem);
        expect([(e as AcmeProblem).type, (e as AcmeProblem).status, (e as AcmeProblem).extra.retryAfterSeconds]).toEqual(['rateLimited', 429, 42]);
      }
    }
  });
});
