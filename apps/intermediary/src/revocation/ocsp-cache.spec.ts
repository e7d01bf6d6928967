import { OcspCache, type CachedOcsp } from './ocsp-cache';

const T = 1_000_000;
const entry = (serials: string[], nextUpdate = T + 3_600_000): Omit<CachedOcsp, 'until'> => ({
  der: Buffer.from('30030a0100', 'hex'),
  etag: '"x"',
  lastModified: '',
  expires: '',
  nextUpdate,
  serials,
});

describe('OcspCache', () => {
  it('ok/returns what was put, until the TTL', () => {
    const c = new OcspCache(10, 60_000);
    expect(c.put('a', 'req1', entry(['01']), c.epoch('a'), T)).toBe(true);
    expect(c.get('a', 'req1', T + 59_999)?.serials).toEqual(['01']);
    expect(c.get('a', 'req1', T + 60_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('ok/nextUpdate ends it sooner than the TTL', () => {
    const c = new OcspCache(10, 600_000);
    c.put('a', 'req1', entry(['01'], T + 1_000), c.epoch('a'), T);
    expect(c.get('a', 'req1', T + 999)).toBeDefined();
    expect(c.get('a', 'req1', T + 1_000)).toBeUndefined();
  });

  it('ok/a response already past nextUpdate is not kept', () => {
    const c = new OcspCache(10, 600_000);
    expect(c.put('a', 'r', entry(['01'], T), c.epoch('a'), T)).toBe(false);
  });

  it('ok/CAs are apart: same request bytes, two CAs', () => {
    const c = new OcspCache(10, 60_000);
    c.put('a', 'r', entry(['01']), 0, T);
    expect(c.get('b', 'r', T)).toBeUndefined();
  });

  it('ok/an event for a serial drops every response about it, and only those', () => {
    const c = new OcspCache(10, 60_000);
    c.put('a', 'r1', entry(['01']), 0, T);
    c.put('a', 'r2', entry(['01', '02']), 0, T);
    c.put('a', 'r3', entry(['03']), 0, T);
    c.put('b', 'r1', entry(['01']), 0, T);
    c.invalidate('a', '01');
    expect([c.get('a', 'r1', T), c.get('a', 'r2', T), c.get('a', 'r3', T)].map(Boolean)).toEqual([false, false, true]);
    expect(c.get('b', 'r1', T)).toBeDefined();
  });

  it('ok/an event without a serial drops the whole CA', () => {
    const c = new OcspCache(10, 60_000);
    c.put('a', 'r1', entry(['01']), 0, T);
    c.put('ab', 'r1', entry(['01']), 0, T);
    c.invalidate('a');
    expect(c.get('a', 'r1', T)).toBeUndefined();
    expect(c.get('ab', 'r1', T)).toBeDefined();
  });

  it('fail/a response fetched across an event is not kept (it may predate the change)', () => {
    const c = new OcspCache(10, 60_000);
    const epoch = c.epoch('a');
    c.invalidate('a', '01');
    expect(c.put('a', 'r1', entry(['01']), epoch, T)).toBe(false);
    expect(c.get('a', 'r1', T)).toBeUndefined();
  });

  it('ok/bounded: the oldest entry goes first', () => {
    const c = new OcspCache(2, 60_000);
    c.put('a', 'r1', entry(['01']), 0, T);
    c.put('a', 'r2', entry(['02']), 0, T);
    c.put('a', 'r3', entry(['03']), 0, T);
    expect(c.size).toBe(2);
    expect(c.get('a', 'r1', T)).toBeUndefined();
    expect(c.get('a', 'r3', T)).toBeDefined();
  });

  it('ok/size 0 or TTL 0 turns caching off', () => {
    expect(new OcspCache(0, 60_000).put('a', 'r', entry(['01']), 0, T)).toBe(false);
    expect(new OcspCache(10, 0).put('a', 'r', entry(['01']), 0, T)).toBe(false);
  });
});
