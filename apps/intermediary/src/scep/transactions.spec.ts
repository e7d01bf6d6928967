import { MemoryTransactions, transactionKey } from './transactions';

describe('MemoryTransactions', () => {
  const spki = Buffer.from('key-a');
  let now = 0;
  const make = (max = 3, ttlMs = 1000) => new MemoryTransactions({ ttlMs, max }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('ok/a remembered transaction is found by the same CA, transactionID and key only', async () => {
    const t = make();
    const key = transactionKey('ca1', 'tx', spki);
    await t.remember(key, { requestId: 7, retrievalSecret: 's' });
    expect(await t.find(key)).toEqual({ requestId: 7, retrievalSecret: 's' });
    expect(await t.find(transactionKey('ca2', 'tx', spki))).toBeUndefined();
    expect(await t.find(transactionKey('ca1', 'tx2', spki))).toBeUndefined();
    expect(await t.find(transactionKey('ca1', 'tx', Buffer.from('key-b')))).toBeUndefined();
  });

  it('ok/the key does not confuse the parts (no separator games)', () => {
    expect(transactionKey('a', 'b\0c', spki)).not.toBe(transactionKey('a\0b', 'c', spki));
  });

  it('ok/forgotten after forget, and after the TTL', async () => {
    const t = make();
    const key = transactionKey('ca', 'tx', spki);
    await t.remember(key, { requestId: 1, retrievalSecret: 's' });
    await t.forget(key);
    expect(await t.find(key)).toBeUndefined();
    await t.remember(key, { requestId: 1, retrievalSecret: 's' });
    now += 1001;
    expect(await t.find(key)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('ok/bounded: the oldest goes first', async () => {
    const t = make(2);
    const keys = ['a', 'b', 'c'].map((x) => transactionKey('ca', x, spki));
    for (const [i, k] of keys.entries()) await t.remember(k, { requestId: i, retrievalSecret: 's' });
    expect(t.size).toBe(2);
    expect(await t.find(keys[0])).toBeUndefined();
    expect(await t.find(keys[2])).toEqual({ requestId: 2, retrievalSecret: 's' });
  });
});
