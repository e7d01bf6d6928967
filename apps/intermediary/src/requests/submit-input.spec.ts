import { LIMITS } from '@signet/contracts';
import { checkCsrText, csrTextOf, idempotencyKey, normaliseAttributes, parseSubmit, type RawSubmit } from './submit-input';

const PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----';
const json = (body: unknown, extra: Partial<RawSubmit> = {}): RawSubmit => ({ contentType: 'application/json', body, query: {}, ...extra });
const code = (c: string, details?: Record<string, unknown>) => expect.objectContaining({ code: c, ...(details ? { details } : {}) });

describe('normaliseAttributes', () => {
  it.each([
    ['ok/absent', undefined, ''],
    ['ok/object', { CertificateTemplate: 'WebServer', san: 'dns=a.example&dns=b.example' }, 'CertificateTemplate:WebServer\nsan:dns=a.example&dns=b.example'],
    ['ok/string passes through', 'CertificateTemplate:User\r\nsan:email=a@b', 'CertificateTemplate:User\r\nsan:email=a@b'],
    ['ok/empty object', {}, ''],
    ['ok/value with a colon', { san: 'uri=https://a.example' }, 'san:uri=https://a.example'],
  ])('%s', (_n, input, expected) => {
    expect(normaliseAttributes(input)).toBe(expected);
  });

  it.each([
    ['fail/line without colon', 'CertificateTemplate', 'BAD_ATTRIBUTES'],
    ['fail/colon in an object key', { 'a:b': 'c' }, 'BAD_ATTRIBUTES'],
    ['fail/newline in an object value', { san: 'a\nDisposition:issue' }, 'BAD_ATTRIBUTES'],
    ['fail/empty object key', { '': 'x' }, 'BAD_ATTRIBUTES'],
    ['fail/too many attributes', Object.fromEntries(Array.from({ length: LIMITS.attributeCount + 1 }, (_, i) => [`a${i}`, 'v'])), 'BAD_ATTRIBUTES'],
    ['fail/too long', `a:${'v'.repeat(LIMITS.attributesChars)}`, 'TOO_LARGE'],
  ])('%s', (_n, input, c) => {
    expect(() => normaliseAttributes(input)).toThrow(code(c));
  });
});

describe('checkCsrText (shape and size only)', () => {
  it.each([
    ['ok/PEM', PEM],
    ['ok/PEM as certreq writes it', PEM.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST')],
    ['ok/PEM with CRLF', PEM.replace(/\n/g, '\r\n')],
    ['ok/base64', 'MIIBAA=='],
    ['ok/base64 with line breaks', 'MIIB\nAA=='],
  ])('%s', (_n, csr) => {
    expect(checkCsrText(`  ${csr}\n`)).toBe(csr.trim());
  });

  it.each([
    ['fail/empty', '   ', 'BAD_MESSAGE'],
    ['fail/not base64', 'hello world!', 'MALFORMED_REQUEST'],
    ['fail/a certificate, not a request', '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----', 'MALFORMED_REQUEST'],
    ['fail/two blocks', `${PEM}\n${PEM}`, 'MALFORMED_REQUEST'],
    ['fail/too long', 'A'.repeat(LIMITS.requestChars + 1), 'TOO_LARGE'],
  ])('%s', (_n, csr, c) => {
    expect(() => checkCsrText(csr)).toThrow(code(c));
  });
});

describe('csrTextOf (application/pkcs10 bodies)', () => {
  it('ok/DER becomes base64', () => {
    expect(csrTextOf(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toBe('MAMCAQA=');
  });
  it('ok/text stays text', () => {
    expect(csrTextOf(Buffer.from(PEM))).toBe(PEM);
  });
  it('fail/binary that is not DER', () => {
    expect(() => csrTextOf(Buffer.from([0xff, 0xfe, 0x00]))).toThrow(code('MALFORMED_REQUEST'));
  });
});

describe('idempotencyKey', () => {
  it.each([
    ['ok/none', undefined, undefined, undefined],
    ['ok/header only', 'k-1', undefined, 'k-1'],
    ['ok/body only', undefined, 'k-2', 'k-2'],
    ['ok/both equal', 'k-3', 'k-3', 'k-3'],
  ])('%s', (_n, header, body, expected) => {
    expect(idempotencyKey(header, body)).toBe(expected);
  });

  it.each([
    ['fail/both differ', 'a', 'b'],
    ['fail/space', 'a b', undefined],
    ['fail/non-ASCII', undefined, 'ключ'],
    ['fail/empty', undefined, ''],
    ['fail/too long', 'k'.repeat(LIMITS.idempotencyKeyChars + 1), undefined],
    ['fail/header repeated', ['a', 'a'], undefined],
  ])('%s', (_n, header, body) => {
    expect(() => idempotencyKey(header as string | string[] | undefined, body)).toThrow(code('BAD_MESSAGE'));
  });
});

describe('parseSubmit', () => {
  it('ok/JSON with everything', () => {
    expect(parseSubmit(json({ csr: PEM, attributes: { a: 'b' }, ca: 'ca-1', idempotencyKey: 'k' }, { contentType: 'application/json; charset=utf-8' }))).toEqual({
      ca: 'ca-1',
      request: PEM,
      attributes: 'a:b',
      idempotencyKey: 'k',
    });
  });

  it('ok/JSON ca from the query', () => {
    expect(parseSubmit(json({ csr: PEM }, { query: { ca: 'ca-2' } })).ca).toBe('ca-2');
  });

  it('ok/pkcs10 takes ca and attributes from the query, the key from the header', () => {
    const raw: RawSubmit = { contentType: 'application/pkcs10', body: Buffer.from(PEM), query: { ca: 'ca-3', attributes: 'x:y' }, idempotencyHeader: 'k' };
    expect(parseSubmit(raw)).toEqual({ ca: 'ca-3', request: PEM, attributes: 'x:y', idempotencyKey: 'k' });
  });

  it.each([
    ['fail/no content type', { contentType: undefined, body: { csr: PEM }, query: {} }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['fail/text/plain', { contentType: 'text/plain', body: PEM, query: {} }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['fail/JSON body missing', json(undefined), 'BAD_MESSAGE'],
    ['fail/JSON array', json([PEM]), 'BAD_MESSAGE'],
    ['fail/missing csr', json({ attributes: 'a:b' }), 'BAD_MESSAGE'],
    ['fail/unknown field', json({ csr: PEM, requester: 'admin' }), 'BAD_MESSAGE'],
    ['fail/ca in body and query differ', json({ csr: PEM, ca: 'a' }, { query: { ca: 'b' } }), 'BAD_MESSAGE'],
    ['fail/ca repeated in the query', json({ csr: PEM }, { query: { ca: ['a', 'b'] } }), 'BAD_MESSAGE'],
    ['fail/ca not a CA name', json({ csr: PEM, ca: '../etc' }), 'BAD_MESSAGE'],
    ['fail/empty pkcs10 body', { contentType: 'application/pkcs10', body: Buffer.alloc(0), query: {} }, 'BAD_MESSAGE'],
  ])('%s', (_n, raw, c) => {
    expect(() => parseSubmit(raw as RawSubmit)).toThrow(code(c));
  });

  it.each<[string, RawSubmit, string, Record<string, unknown>]>([
    ['NUL in an attribute value', json({ csr: PEM, attributes: { CertificateTemplate: 'Web\0Server' } }), 'BAD_MESSAGE', { field: 'attributes.CertificateTemplate' }],
    ['CR LF in an attribute name', json({ csr: PEM, attributes: { a: 'b', 'a\r\nDisposition': 'issue' } }), 'BAD_MESSAGE', { field: 'attributes' }],
    ['C1 in the attribute string', json({ csr: PEM, attributes: 'a:b\u0085' }), 'BAD_MESSAGE', { field: 'attributes' }],
    ['TAB in the attribute string', json({ csr: PEM, attributes: 'a:b\tc' }), 'BAD_ATTRIBUTES', { line: 1 }],
    ['NUL in ?attributes= of a pkcs10 submit', { contentType: 'application/pkcs10', body: Buffer.from(PEM), query: { attributes: 'a:\0' } }, 'BAD_MESSAGE', { field: 'attributes' }],
  ])('fail/control characters: %s', (_n, raw, c, details) => {
    expect(() => parseSubmit(raw)).toThrow(code(c, details));
  });

  it('fail/a bad attribute name is counted, not quoted', () => {
    expect(() => parseSubmit(json({ csr: PEM, attributes: { a: 'b', 'x\0y': 'c' } }))).toThrow(
      expect.objectContaining({ message: 'invalid request body: attributes: attribute name 2 contains a control character (U+0000) at index 1' }),
    );
  });

  it('fail/names the field that is wrong, never its value', () => {
    let err: unknown;
    try {
      parseSubmit(json({ csr: 12345678, secret: 'hunter2' }));
    } catch (e) {
      err = e;
    }
    const text = JSON.stringify({ m: (err as Error).message, d: (err as { details: unknown }).details });
    expect(text).toContain('csr');
    expect(text).toContain('secret');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('12345678');
  });
});
