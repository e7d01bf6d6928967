import { ScepTransactions } from './transactions';

describe('ScepTransactions', () => {
  const spki = Buffer.from('key-a');
  let now = 0;
  const make = (max = 3, ttlMs = 1000) => new ScepTransactions({ ttlMs, max }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('ok/a remembered transaction is found by the same CA, transactionID and key only', () => {
    const t = make();
    const key = ScepTransactions.key('ca1', 'tx', spki);
    t.remember(key, { requestId: 7, retrievalSecret: 's' });
    expect(t.find(key)).toEqual({ requestId: 7, retrievalSecret: 's' });
    expect(t.find(ScepTransactions.key('ca2', 'tx', spki))).toBeUndefined();
    expect(t.find(ScepTransactions.key('ca1', 'tx2', spki))).toBeUndefined();
    expect(t.find(ScepTransactions.key('ca1', 'tx', Buffer.from('key-b')))).toBeUndefined();
  });

  it('ok/the key does not confuse the parts (no separator games)', () => {
    expect(ScepTransactions.key('a', 'b\0c', spki)).not.toBe(ScepTransactions.key('a\0b', 'c', spki));
  });

  it('ok/forgotten after forget, and after the TTL', () => {
    const t = make();
    const key = ScepTransactions.key('ca', 'tx', spki);
    t.remember(key, { requestId: 1, retrievalSecret: 's' });
    t.forget(key);
    expect(t.find(key)).toBeUndefined();
    t.remember(key, { requestId: 1, retrievalSecret: 's' });
    now += 1001;
    expect(t.find(key)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('ok/bounded: the oldest goes first', () => {
    const t = make(2);
    const keys = ['a', 'b', 'c'].map((x) => ScepTransactions.key('ca', x, spki));
    keys.forEach((k, i) => t.remember(k, { requestId: i, retrievalSecret: 's' }));
    expect(t.size).toBe(2);
    expect(t.find(keys[0])).toBeUndefined();
    expect(t.find(keys[2])).toEqual({ requestId: 2, retrievalSecret: 's' });
  });
});
