import { ErrorCode, SignetError } from '@signet/contracts';
import { exponentialBackoff, retryWithBackoff, type RetryOptions } from './retry';

const unavailable = () => new SignetError(ErrorCode.CaUnavailable, 'no service answers');
const refusal = () => new SignetError(ErrorCode.BadMessage, 'invalid');

/** An attempt that fails with the given errors in turn, then resolves with 'ok'. */
function failing(...errors: unknown[]) {
  let n = 0;
  return jest.fn(async () => {
    if (n < errors.length) throw errors[n++];
    return 'ok';
  });
}

function options(over: Partial<RetryOptions> = {}) {
  const waits: number[] = [];
  const failures: [number, number | undefined][] = [];
  const opts: RetryOptions = {
    attempts: 5,
    delayMs: exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1_000 }),
    wait: async (ms) => void waits.push(ms),
    onFailure: (_e, attempt, next) => failures.push([attempt, next]),
    ...over,
  };
  return { opts, waits, failures };
}

describe('exponentialBackoff', () => {
  it.each([
    ['ok/doubles by default, capped', { initialDelayMs: 1_000, maxDelayMs: 15_000 }, [1_000, 2_000, 4_000, 8_000, 15_000, 15_000]],
    ['ok/another multiplier', { initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 3 }, [100, 300, 900, 2_700, 8_100, 10_000]],
    ['ok/constant with multiplier 1', { initialDelayMs: 250, maxDelayMs: 10_000, multiplier: 1 }, [250, 250, 250, 250, 250, 250]],
    ['ok/whole milliseconds', { initialDelayMs: 333, maxDelayMs: 10_000, multiplier: 1.5 }, [333, 500, 749, 1_124, 1_686, 2_529]],
  ])('%s', (_name, backoff, expected) => {
    const delay = exponentialBackoff(backoff);
    expect([1, 2, 3, 4, 5, 6].map(delay)).toEqual(expected);
  });
});

describe('retryWithBackoff', () => {
  it('ok/first attempt: no wait, no failure reported', async () => {
    const { opts, waits, failures } = options();
    await expect(retryWithBackoff(failing(), opts)).resolves.toEqual({ outcome: 'done', value: 'ok' });
    expect(waits).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('ok/retries with growing waits until it succeeds; the attempt gets its number', async () => {
    const { opts, waits, failures } = options();
    const attempt = failing(unavailable(), new Error('socket closed'), unavailable());
    await expect(retryWithBackoff(attempt, opts)).resolves.toEqual({ outcome: 'done', value: 'ok' });
    expect(attempt.mock.calls).toEqual([[1], [2], [3], [4]]);
    expect(waits).toEqual([100, 200, 400]);
    expect(failures).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it('fail/gives up after the last attempt, with its error and no wait after it', async () => {
    const { opts, waits, failures } = options({ attempts: 3 });
    const last = unavailable();
    const attempt = failing(unavailable(), unavailable(), last, unavailable());
    await expect(retryWithBackoff(attempt, opts)).resolves.toEqual({ outcome: 'gave-up', error: last });
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([100, 200]);
    expect(failures.at(-1)).toEqual([3, undefined]);
  });

  it('fail/a SignetError that is not retryable is refused at once', async () => {
    const { opts, waits } = options();
    const error = refusal();
    const attempt = failing(error);
    await expect(retryWithBackoff(attempt, opts)).resolves.toEqual({ outcome: 'refused', error });
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });

  it('ok/retryable decides: every error retried when it says so', async () => {
    const { opts } = options({ retryable: () => true });
    await expect(retryWithBackoff(failing(refusal(), refusal()), opts)).resolves.toEqual({ outcome: 'done', value: 'ok' });
  });

  it('ok/Infinity attempts: retries until it succeeds', async () => {
    const { opts, waits } = options({ attempts: Infinity });
    const attempt = failing(...Array.from({ length: 20 }, unavailable));
    await expect(retryWithBackoff(attempt, opts)).resolves.toEqual({ outcome: 'done', value: 'ok' });
    expect(attempt).toHaveBeenCalledTimes(21);
    expect(waits.slice(-3)).toEqual([1_000, 1_000, 1_000]);
  });

  it('ok/an aborted signal stops before the first attempt', async () => {
    const abort = new AbortController();
    abort.abort();
    const attempt = failing();
    await expect(retryWithBackoff(attempt, options({ signal: abort.signal }).opts)).resolves.toEqual({ outcome: 'stopped' });
    expect(attempt).not.toHaveBeenCalled();
  });

  it('ok/aborting ends a pending (real) wait at once', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const run = retryWithBackoff(failing(unavailable()), { attempts: 2, delayMs: () => 60_000, signal: abort.signal });
    await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(run).resolves.toEqual({ outcome: 'stopped' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ok/aborted while an attempt runs: stopped, not failed', async () => {
    const abort = new AbortController();
    const attempt = jest.fn(async () => {
      abort.abort();
      throw unavailable();
    });
    const { opts, failures } = options({ signal: abort.signal });
    await expect(retryWithBackoff(attempt, opts)).resolves.toEqual({ outcome: 'stopped' });
    expect(failures).toEqual([]);
  });
});
