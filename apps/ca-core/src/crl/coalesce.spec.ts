import { Coalescer } from './coalesce';

/** A task whose runs the test finishes one by one. */
function controlledTask() {
  const runs: Array<() => void> = [];
  const task = () => new Promise<void>((resolve) => runs.push(resolve));
  const until = async (n: number) => {
    while (runs.length < n) await new Promise((r) => setImmediate(r));
  };
  return { runs, task, until };
}

describe('Coalescer', () => {
  it('ok/one ask, one run', async () => {
    const t = controlledTask();
    const c = new Coalescer(t.task, () => undefined);
    const done = c.request();
    await t.until(1);
    t.runs[0]();
    await done;
    expect(t.runs).toHaveLength(1);
  });

  it('ok/asks during a run become exactly one more run, after it', async () => {
    const t = controlledTask();
    const c = new Coalescer(t.task, () => undefined);
    void c.request();
    await t.until(1);
    const during = [c.request(), c.request(), c.request()];
    expect(t.runs).toHaveLength(1); // never two at once
    t.runs[0]();
    await t.until(2);
    t.runs[1]();
    await Promise.all(during);
    await c.idle();
    expect(t.runs).toHaveLength(2);
  });

  it('ok/an ask after everything finished starts a new run', async () => {
    const t = controlledTask();
    const c = new Coalescer(t.task, () => undefined);
    void c.request();
    await t.until(1);
    t.runs[0]();
    await c.idle();
    void c.request();
    await t.until(2);
    t.runs[1]();
    await c.idle();
    expect(t.runs).toHaveLength(2);
  });

  it('fail/a failing run is reported and does not stop the next', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const c = new Coalescer(async () => {
      if (++n === 1) throw new Error('lock lost');
    }, (e) => errors.push(e));
    await c.request();
    await c.request();
    expect(n).toBe(2);
    expect(errors).toEqual([new Error('lock lost')]);
  });
});
