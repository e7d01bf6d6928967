import { intParam, parseRequestId, parseSerial, queryList } from './input';

describe('parseSerial', () => {
  it.each([
    ['ok/lower hex', '0a1b', '0a1b'],
    ['ok/openssl upper case', '0A1B2C', '0a1b2c'],
    ['ok/colons', '0A:1B:2C', '0a1b2c'],
    ['ok/spaces', '0a 1b', '0a1b'],
  ])('%s', (_n, raw, serial) => {
    expect(parseSerial(raw)).toBe(serial);
  });
  it.each([
    ['fail/odd digits', 'abc'],
    ['fail/not hex', 'xyz0'],
    ['fail/empty', ''],
    ['fail/over 32 bytes', 'ab'.repeat(33)],
  ])('%s', (_n, raw) => {
    expect(() => parseSerial(raw)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', details: { field: 'serial' } }));
  });
});

describe('parseRequestId', () => {
  it('ok/positive integers', () => expect(parseRequestId('42')).toBe(42));
  it.each(['0', '-1', '01', '1e3', '1.0', '9007199254740993', ''])('fail/%p', (raw) => {
    expect(() => parseRequestId(raw)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});

describe('query helpers', () => {
  it('ok/queryList takes one or many', () => {
    expect(queryList({ f: 'a' }, 'f', 2)).toEqual(['a']);
    expect(queryList({ f: ['a', 'b'] }, 'f', 2)).toEqual(['a', 'b']);
    expect(queryList({}, 'f', 2)).toEqual([]);
  });
  it('fail/queryList over the limit', () => expect(() => queryList({ f: ['a', 'b', 'c'] }, 'f', 2)).toThrow(/at most 2/));
  it.each([
    ['fail/not a number', 'x'],
    ['fail/below min', '0'],
    ['fail/above max', '11'],
  ])('%s', (_n, v) => expect(() => intParam({ n: v }, 'n', 1, 10)).toThrow(expect.objectContaining({ details: { field: 'n' } })));
});
