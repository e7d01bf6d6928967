import { validate, type Query } from '@signet/http';
import { parseFilter, parseSort, viewQuery, ViewQuerySchema } from './view-query';

/** The query as the view route gets it: through its schema (the route's pipe), then the filter and sort grammar. */
const parseViewQuery = (query: Query) => viewQuery(validate(ViewQuerySchema, query, { what: 'query', topLevelOnly: true }));

describe('parseFilter', () => {
  it.each([
    ['ok/disposition', 'Disposition eq pending', { column: 'Disposition', op: 'eq', value: 'pending' }],
    ['ok/any case and Request. prefix', 'request.disposition EQ Pending', { column: 'Disposition', op: 'eq', value: 'pending' }],
    ['ok/in process with a space', 'Disposition eq in process', { column: 'Disposition', op: 'eq', value: 'in_process' }],
    ['ok/date only is midnight UTC', 'NotAfter lt 2027-01-01', { column: 'NotAfter', op: 'lt', value: '2027-01-01T00:00:00.000Z' }],
    ['ok/time with offset to UTC', 'SubmittedWhen >= 2026-05-01T12:00:00+02:00', { column: 'SubmittedWhen', op: 'ge', value: '2026-05-01T10:00:00.000Z' }],
    ['ok/request id', 'RequestID > 37', { column: 'RequestID', op: 'gt', value: 37 }],
    ['ok/reason by name', 'RevokedReason eq keyCompromise', { column: 'RevokedReason', op: 'eq', value: 1 }],
    ['ok/serial normalized', 'SerialNumber eq 0A:1B', { column: 'SerialNumber', op: 'eq', value: '0a1b' }],
    ['ok/quoted value with spaces', 'Subject prefix "CN=Build Bot"', { column: 'Subject', op: 'prefix', value: 'CN=Build Bot' }],
    ['ok/template', 'CertificateTemplate = CodeSigning', { column: 'CertificateTemplate', op: 'eq', value: 'CodeSigning' }],
  ])('%s', (_n, raw, filter) => {
    expect(parseFilter(raw)).toEqual(filter);
  });

  it.each([
    ['fail/no operator', 'Disposition pending'],
    ['fail/unknown column', 'Colour eq red'],
    ['fail/unknown operator', 'RequestID like 3'],
    ['fail/disposition value', 'Disposition eq approved'],
    ['fail/disposition ordering', 'Disposition lt issued'],
    ['fail/id not a number', 'RequestID eq three'],
    ['fail/date', 'NotAfter lt tomorrow'],
    ['fail/time without offset', 'NotAfter lt 2027-01-01T00:00:00'],
    ['fail/prefix on a number', 'RequestID prefix 1'],
    ['fail/serial not hex', 'SerialNumber eq zz'],
    ['fail/reason 7', 'RevokedReason eq 7'],
  ])('%s', (_n, raw) => {
    expect(() => parseFilter(raw)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});

describe('parseSort', () => {
  it.each([
    ['ok/default', undefined, { column: 'RequestID', direction: 'desc' }],
    ['ok/column only is ascending', 'NotAfter', { column: 'NotAfter', direction: 'asc' }],
    ['ok/descending', 'notafter:DESC', { column: 'NotAfter', direction: 'desc' }],
  ])('%s', (_n, raw, sort) => expect(parseSort(raw)).toEqual(sort));
  it.each(['NotAfter:up', 'Nope:asc', 'a:b:c'])('fail/%s', (raw) => expect(() => parseSort(raw)).toThrow(expect.objectContaining({ details: { field: 'sort' } })));
});

describe('parseViewQuery', () => {
  it('ok/defaults', () => {
    expect(parseViewQuery({})).toEqual({ preset: 'all', filters: [], sort: { column: 'RequestID', direction: 'desc' }, limit: 100, count: false });
  });
  it('fail/more than 16 filters', () => {
    expect(() => parseViewQuery({ filter: Array(17).fill('RequestID gt 1') })).toThrow(/at most 16/);
  });
});
