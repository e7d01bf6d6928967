import { AttemptTimeout, Semaphore, withDeadline } from './limits';

describe('Semaphore', () => {
  it('ok/admits up to its size and hands freed slots to waiters in order', async () => {
    const s = new Semaphore(2);
    await s.acquire();
    await s.acquire();
    const order: number[] = [];
    const w1 = s.acquire().then(() => order.push(1));
    const w2 = s.acquire().then(() => order.push(2));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    s.release();
    await w1;
    s.release();
    await w2;
    expect(order).toEqual([1, 2]);
    expect(s.inUse).toBe(2);
    s.release();
    s.release();
    expect(s.inUse).toBe(0);
  });
});

describe('withDeadline', () => {
  it('ok/returns the handler result', async () => {
    await expect(withDeadline(1000, async () => 42)).resolves.toBe(42);
  });
  it('fail/a handler that never settles is cut at the deadline and told through its signal', async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    await expect(withDeadline(80, (signal) => ((seen = signal), new Promise(() => undefined)))).rejects.toBeInstanceOf(AttemptTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(seen!.aborted).toBe(true);
  });
  it('fail/a handler error passes through', async () => {
    await expect(withDeadline(1000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
  it('fail/a synchronous throw is an attempt failure, not a crash', async () => {
    await expect(
      withDeadline(1000, () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });
  it('fail/the parent signal (service stopping) ends the attempt', async () => {
    const parent = new AbortController();
    const p = withDeadline(10_000, () => new Promise(() => undefined), parent.signal);
    parent.abort(new Error('stopping'));
    await expect(p).rejects.toThrow('stopping');
  });
});
