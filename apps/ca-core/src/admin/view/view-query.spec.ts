import { ErrorCode, ViewRequestSchema, type ViewRequest } from '@signet/contracts';
import { dispositionsWhere } from './view-columns';
import { countQuery, decodeCursor, encodeCursor, fingerprint, pageQuery, type ViewQuery } from './view-query';

const q = (r: Partial<ViewRequest> = {}): ViewQuery => ViewRequestSchema.parse({ ...r });

describe('view query building', () => {
  it('binds every value as a parameter, never into the SQL text', () => {
    const nasty = "x' OR 1=1 --";
    const b = pageQuery(q({ filters: [{ column: 'Subject', op: 'prefix', value: nasty }, { column: 'RequesterName', op: 'eq', value: nasty }] }), 'ca-1', 'a', null, 101);
    expect(b.sql).not.toContain(nasty);
    expect(b.params).toEqual(['ca-1', "x' OR 1=1 --%", nasty, 101]);
  });

  it('escapes LIKE wildcards in a prefix', () => {
    const b = countQuery(q({ filters: [{ column: 'Subject', op: 'prefix', value: 'CN=100%_\\' }] }), 'ca-1');
    expect(b.params).toContain('CN=100\\%\\_\\\\%');
  });

  it.each<[string, ViewRequest['filters'], RegExp]>([
    ['fail/prefix on a time column', [{ column: 'NotAfter', op: 'prefix', value: '2026' }], /prefix applies to text columns only/],
    ['fail/prefix on Disposition', [{ column: 'Disposition', op: 'prefix', value: 'pe' }], /prefix applies to text columns only/],
    ['fail/a time without offset', [{ column: 'NotAfter', op: 'lt', value: '2026-01-01T00:00:00' }], /ISO 8601 time with an offset/],
    ['fail/a time as a number', [{ column: 'SubmittedWhen', op: 'lt', value: 1700000000 }], /ISO 8601/],
    ['fail/an id that is not a number', [{ column: 'RequestID', op: 'eq', value: '12a' }], /RequestID needs an integer/],
    ['fail/a serial that is not hex', [{ column: 'SerialNumber', op: 'eq', value: 'zz' }], /hexadecimal/],
    ['fail/an unknown disposition', [{ column: 'Disposition', op: 'eq', value: 'approved' }], /Disposition is one of/],
    ['fail/a number for a text column', [{ column: 'Subject', op: 'eq', value: 5 }], /Subject needs a string/],
  ])('%s', (_n, filters, message) => {
    expect(() => pageQuery(q({ filters }), 'ca-1', 'a', null, 10)).toThrow(
      expect.objectContaining({ code: ErrorCode.BadMessage, message: expect.stringMatching(message) }),
    );
  });

  it.each<[string, ViewRequest['filters']]>([
    ['ok/a date means midnight UTC', [{ column: 'NotAfter', op: 'lt', value: '2026-01-31' }]],
    ['ok/numeric string ids', [{ column: 'RequestID', op: 'ge', value: '12' }]],
    ['ok/upper-case serial prefix', [{ column: 'SerialNumber', op: 'prefix', value: '7F' }]],
    ['ok/AD CS disposition numbers', [{ column: 'Disposition', op: 'lt', value: 20 }]],
  ])('%s', (_n, filters) => {
    expect(() => pageQuery(q({ filters }), 'ca-1', 'a', null, 10)).not.toThrow();
  });

  it('normalizes values: dates to UTC midnight, serials to lower case', () => {
    expect(countQuery(q({ filters: [{ column: 'NotAfter', op: 'lt', value: '2026-01-31' }] }), 'c').params).toContain('2026-01-31T00:00:00Z');
    expect(countQuery(q({ filters: [{ column: 'SerialNumber', op: 'prefix', value: '7F' }] }), 'c').params).toContain('7f%');
  });

  it('filters dispositions numerically as AD CS does (DB_DISP_*), e.g. < 20 is the queue', () => {
    expect(dispositionsWhere('lt', 'issued').sort()).toEqual(['in_process', 'pending']);
    expect(dispositionsWhere('ge', 'issued').sort()).toEqual(['denied', 'failed', 'issued', 'revoked']);
    expect(dispositionsWhere('eq', 'denied')).toEqual(['denied']);
  });

  it('joins the certificate for counting only when a filter needs it', () => {
    expect(countQuery(q({ preset: 'issued' }), 'c').sql).not.toMatch(/certificate/);
    expect(countQuery(q({ filters: [{ column: 'NotAfter', op: 'lt', value: '2026-01-31' }] }), 'c').sql).toMatch(/JOIN certificate c/);
  });

  describe('cursors', () => {
    const query = q({ sort: { column: 'NotAfter', direction: 'asc' } });
    const subjectQuery = q({ sort: { column: 'Subject', direction: 'asc' } });

    it('round-trip', () => {
      const c = { f: fingerprint(query), p: 'a' as const, v: '2026-01-01T00:00:00.123456Z', i: 42 };
      expect(decodeCursor(query, encodeCursor(c))).toEqual(c);
    });

    it.each<[string, ViewQuery, () => string, RegExp]>([
      ['fail/garbage', query, () => 'not-base64-json!', /not a cursor from this view/],
      ['fail/another query', query, () => encodeCursor({ f: fingerprint(q()), p: 'a', v: '1', i: 1 }), /belongs to a different query/],
      ['fail/a tampered value', query, () => encodeCursor({ f: fingerprint(query), p: 'a', v: "'; DROP TABLE request; --", i: 1 }), /NotAfter needs an ISO 8601/],
      ['fail/a tampered id', query, () => encodeCursor({ f: fingerprint(query), p: 'a', v: '2026-01-01T00:00:00Z', i: -1 }), /not a cursor/],
      ['fail/phase b on a column without empty values', q(), () => encodeCursor({ f: fingerprint(q()), p: 'b', v: null, i: 5 }), /not a cursor/],
      // A forged cursor is input like a filter: PostgreSQL refuses NUL in text, so it must never reach a query (ADR 0022).
      ['fail/NUL in a text value', subjectQuery, () => encodeCursor({ f: fingerprint(subjectQuery), p: 'a', v: 'CN=a\0', i: 1 }), /Subject cannot hold NUL or a lone surrogate/],
      ['fail/a lone surrogate in a text value', subjectQuery, () => encodeCursor({ f: fingerprint(subjectQuery), p: 'a', v: 'CN=\ud800', i: 1 }), /Subject cannot hold NUL/],
    ])('%s', (_n, forQuery, make, message) => {
      expect(() => decodeCursor(forQuery, make())).toThrow(expect.objectContaining({ code: ErrorCode.BadMessage, message: expect.stringMatching(message) }));
    });
  });
});
