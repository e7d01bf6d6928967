import { textProblem } from '@signet/contracts';
import { badBody, badField, mediaType, queryParam } from './input';
import { queryBool, validate } from './validation';
import { z } from 'zod';

describe('input helpers', () => {
  it('ok/badField names the field', () => {
    expect(badField('ca', 'bad')).toMatchObject({ code: 'BAD_MESSAGE', message: 'ca: bad', details: { field: 'ca' } });
  });

  it('ok/badBody names every field and never echoes values', () => {
    const r = z.strictObject({ a: z.string(), b: z.number() }).safeParse({ a: 1, b: 'secret-value', c: 2 });
    const e = badBody(r.error!);
    expect(e.code).toBe('BAD_MESSAGE');
    expect(e.message).toMatch(/^invalid request body: /);
    expect((e.details!.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['a', 'b', 'c']);
    expect(JSON.stringify(e)).not.toContain('secret-value');
  });

  it('ok/badBody names keys with their control characters escaped and cut short, never raw', () => {
    const r = z.strictObject({ attributes: z.record(z.string(), z.number()) }).safeParse({ attributes: { 'a\r\nb': 'x' }, ['k\0'.repeat(50)]: 1 });
    const e = badBody(r.error!);
    expect((e.details!.fields as { field: string }[]).map((f) => f.field)).toEqual(['attributes.a\\u000d\\u000ab', `${'k\\u0000'.repeat(32)}…`]);
    expect(textProblem(e.message)).toBeUndefined();
  });

  it('ok/queryParam takes one, refuses a repeated one', () => {
    expect(queryParam({ a: 'x' }, 'a')).toBe('x');
    expect(queryParam({}, 'a')).toBeUndefined();
    expect(() => queryParam({ a: ['x', 'y'] }, 'a')).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', details: { field: 'a' } }));
  });

  it.each([
    ['ok/absent → default', undefined, true, true],
    ['ok/empty → default', '', false, false],
    ['ok/true', 'true', false, true],
    ['ok/1', '1', false, true],
    ['ok/false', 'false', true, false],
    ['ok/0', '0', true, false],
  ])('queryBool %s', (_n, v, def, expected) => {
    expect(validate(z.object({ f: queryBool(def) }), { f: v }, { what: 'query' }).f).toBe(expected);
  });

  it('fail/queryBool anything else', () => expect(() => validate(z.object({ f: queryBool(false) }), { f: 'yes' }, { what: 'query' })).toThrow(/must be true or false/));

  it.each([
    ['application/json; charset=utf-8', 'application/json'],
    [' Application/PKCS10 ', 'application/pkcs10'],
    ['', undefined],
    [undefined, undefined],
  ])('ok/mediaType %p → %p', (header, type) => expect(mediaType(header)).toBe(type));
});
