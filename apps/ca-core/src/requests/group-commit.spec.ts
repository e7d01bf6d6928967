import { GroupCommit, RefuseAndRetry, Refused } from './group-commit';

// Pure logic: how items become batches and what each caller gets back. No database, no timing.

function recorder(write: (items: string[]) => Promise<Array<string | Refused>>) {
  const batches: string[][] = [];
  const gc = new GroupCommit<string, string>({
    windowMs: 0,
    max: 3,
    write: (items) => {
      batches.push([...items]);
      return write(items);
    },
  });
  return { gc, batches };
}

const settle = (ps: Array<Promise<string>>) => Promise.allSettled(ps);

describe('GroupCommit', () => {
  it('ok/items added in one turn share one write, in order; each caller gets its own outcome', async () => {
    const { gc, batches } = recorder(async (items) => items.map((i) => `done:${i}`));
    expect(await Promise.all([gc.add('a'), gc.add('b')])).toEqual(['done:a', 'done:b']);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('ok/a full batch is written at once; what arrives meanwhile forms the next ones, never more than max', async () => {
    const { gc, batches } = recorder(async (items) => items.map((i) => `done:${i}`));
    const out = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => gc.add(x)));
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => `done:${x}`));
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
  });

  it('fail/a Refused outcome rejects that caller only', async () => {
    const { gc } = recorder(async (items) => items.map((i) => (i === 'b' ? new Refused(new Error('no b')) : `done:${i}`)));
    const [a, b, c] = await settle([gc.add('a'), gc.add('b'), gc.add('c')]);
    expect(a).toEqual({ status: 'fulfilled', value: 'done:a' });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('no b') });
    expect(c).toEqual({ status: 'fulfilled', value: 'done:c' });
  });

  it('fail/RefuseAndRetry rejects the refused items and writes the batch again without them', async () => {
    const { gc, batches } = recorder(async (items) => {
      const i = items.indexOf('b');
      if (i >= 0) throw new RefuseAndRetry(new Map([[i, new Error('b replayed')]]));
      return items.map((x) => `done:${x}`);
    });
    const [a, b, c] = await settle([gc.add('a'), gc.add('b'), gc.add('c')]);
    expect(batches).toEqual([['a', 'b', 'c'], ['a', 'c']]);
    expect(a).toEqual({ status: 'fulfilled', value: 'done:a' });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('b replayed') });
    expect(c).toEqual({ status: 'fulfilled', value: 'done:c' });
  });

  it('fail/a batch the database refuses is written again item by item, so only the bad item fails', async () => {
    const refused = Object.assign(new Error('value too long'), { code: '22001' });
    const { gc, batches } = recorder(async (items) => {
      if (items.includes('bad')) throw refused;
      return items.map((x) => `done:${x}`);
    });
    const [a, bad, c] = await settle([gc.add('a'), gc.add('bad'), gc.add('c')]);
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(a).toEqual({ status: 'fulfilled', value: 'done:a' });
    expect(bad).toMatchObject({ status: 'rejected', reason: refused });
    expect(c).toEqual({ status: 'fulfilled', value: 'done:c' });
  });

  it('fail/a transient failure (connection lost) fails every item of the batch, without writing them one by one', async () => {
    const lost = Object.assign(new Error('terminating connection'), { code: '57P01' });
    const { gc, batches } = recorder(async () => {
      throw lost;
    });
    const out = await settle([gc.add('a'), gc.add('b')]);
    expect(batches).toEqual([['a', 'b']]);
    expect(out).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
  });

  it('ok/drain waits for what was added', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { gc } = recorder(async (items) => {
      await gate;
      return items.map((x) => `done:${x}`);
    });
    const p = gc.add('a');
    let drained = false;
    const d = gc.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    release();
    await d;
    expect(await p).toBe('done:a');
  });
});
