import { queryInt, queryList, validate } from '@signet/http';
import { z } from 'zod';
import { parseRequestId, parseSerial } from './input';

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
  const query = (schema: z.ZodType, value: Record<string, unknown>) => validate(z.object({ f: schema }), value, { what: 'query', topLevelOnly: true }).f;
  it('ok/queryList takes one or many', () => {
    expect(query(queryList(z.string(), 2), { f: 'a' })).toEqual(['a']);
    expect(query(queryList(z.string(), 2), { f: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(query(queryList(z.string(), 2), {})).toEqual([]);
  });
  it('fail/queryList over the limit', () => expect(() => query(queryList(z.string(), 2), { f: ['a', 'b', 'c'] })).toThrow(/at most 2/));
  it.each([
    ['fail/not a number', 'x'],
    ['fail/below min', '0'],
    ['fail/above max', '11'],
  ])('%s', (_n, v) => expect(() => query(queryInt(1, 10), { f: v })).toThrow(expect.objectContaining({ details: { field: 'f' } })));
});
