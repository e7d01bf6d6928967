import { z } from 'zod';
import { queryBool, queryInt, queryList, queryOne, validate, ZodPipe } from './validation';

const code = (c: string, details?: Record<string, unknown>) => expect.objectContaining({ code: c, ...(details ? { details } : {}) });

describe('validate', () => {
  const Body = z.strictObject({ name: z.string().max(4, 'at most 4 characters'), n: z.number().optional() });

  it('ok/answers the parsed value', () => {
    expect(validate(Body, { name: 'ab' })).toEqual({ name: 'ab' });
  });

  it('ok/an absent body is validated as `absent`', () => {
    expect(validate(z.strictObject({}), undefined, { absent: {} })).toEqual({});
    expect(() => validate(z.strictObject({}), undefined)).toThrow(code('BAD_MESSAGE'));
  });

  it("fail/one field wrong: details.field and the schema's message", () => {
    expect(() => validate(Body, { name: 'abcde' })).toThrow(code('BAD_MESSAGE', { field: 'name' }));
    expect(() => validate(Body, { name: 'abcde' })).toThrow('invalid request body: name: at most 4 characters');
  });

  it('fail/several fields wrong: details.fields, each unknown key on its own', () => {
    let err: { details?: { fields?: { field: string }[] } } | undefined;
    try {
      validate(Body, { name: 1, x: 'secret-x', y: 2 });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err!.details!.fields!.map((f) => f.field).sort()).toEqual(['name', 'x', 'y']);
    expect(JSON.stringify(err)).not.toContain('secret-x');
  });

  it('ok/a SignetError thrown by a transform reaches the caller unchanged', () => {
    const S = z.string().transform(() => {
      throw Object.assign(new Error('no CA named "x"'), { code: 'UNKNOWN_CA' });
    });
    expect(() => validate(S, 'x')).toThrow(code('UNKNOWN_CA'));
  });
});

describe('ZodPipe', () => {
  it('fail/names a path parameter by its name', () => {
    const pipe = new ZodPipe(z.string().max(3, 'longer than 3 characters'));
    expect(() => pipe.transform('abcd', { type: 'param', data: 'id' })).toThrow(code('BAD_MESSAGE', { field: 'id' }));
    expect(() => pipe.transform('abcd', { type: 'param', data: 'id' })).toThrow('invalid path: id: longer than 3 characters');
  });

  it('fail/names a query parameter, not an index into its values', () => {
    const pipe = new ZodPipe(z.object({ names: queryList(z.enum(['a', 'b']), 4) }));
    expect(() => pipe.transform({ names: ['a', 'c'] }, { type: 'query' })).toThrow(code('BAD_MESSAGE', { field: 'names' }));
  });

  it('ok/an absent body counts as `absent`', () => {
    expect(new ZodPipe(z.strictObject({}), { absent: {} }).transform(undefined, { type: 'body' })).toEqual({});
  });
});

describe('query parameter schemas', () => {
  const Q = z.object({ one: queryOne(z.enum(['x', 'y'])).optional(), n: queryInt(1, 10), flag: queryBool(false), list: queryList(z.string().max(3), 2) });

  it.each([
    ['ok/nothing given', {}, { n: undefined, flag: false, list: [] }],
    ['ok/empty values count as absent', { n: '', flag: '' }, { n: undefined, flag: false, list: [] }],
    ['ok/each parsed', { one: 'y', n: '10', flag: '1', list: 'abc' }, { one: 'y', n: 10, flag: true, list: ['abc'] }],
    ['ok/a repeated list', { flag: 'false', list: ['a', 'b'] }, { n: undefined, flag: false, list: ['a', 'b'] }],
  ])('%s', (_n, query, parsed) => {
    expect(validate(Q, query, { what: 'query', topLevelOnly: true })).toEqual(parsed);
  });

  it.each([
    ['fail/repeated single value', { one: ['x', 'y'] }, 'one', 'query parameter given more than once'],
    ['fail/not in the enum', { one: 'z' }, 'one', 'one'],
    ['fail/not a whole number', { n: '1e3' }, 'n', 'must be a whole number'],
    ['fail/out of range', { n: '11' }, 'n', 'must be between 1 and 10'],
    ['fail/not a boolean', { flag: 'yes' }, 'flag', 'must be true or false'],
    ['fail/too many', { list: ['a', 'b', 'c'] }, 'list', 'at most 2 allowed'],
  ])('%s', (_n, query, field, message) => {
    expect(() => validate(Q, query, { what: 'query', topLevelOnly: true })).toThrow(code('BAD_MESSAGE', { field }));
    expect(() => validate(Q, query, { what: 'query', topLevelOnly: true })).toThrow(message);
  });
});
