import { z } from 'zod';
import { formatAttributes, parseAttributes } from './attributes';
import { ErrorCode, SignetError } from './errors';
import { ActorSchema, AuditRecordRequestSchema, DenyRequestSchema, SetAttributesRequestSchema, ViewRequestSchema } from './messages/admin';
import { ModuleRegisterSchema } from './messages/modules';
import { PolicyInitReplySchema, PolicyVerifyReplySchema } from './messages/policy';
import { SUBMIT_SAMPLE, SubmitRequestSchema } from './messages/submit';
import { IdentitySchema } from './messages/identity';
import { escapeControlCharacters, fieldPath, freeText, lineText, textProblem } from './text';

describe('textProblem', () => {
  it.each<[string, string, 'line' | 'free', string | undefined]>([
    ['ok/plain ASCII', 'www.example.com', 'line', undefined],
    ['ok/letters beyond ASCII and a surrogate pair', 'Grüße 😀 Ω', 'line', undefined],
    ['ok/TAB, LF and CR in free text', 'a\tb\r\nc', 'free', undefined],
    ['fail/NUL', 'ab\0', 'line', 'contains a control character (U+0000) at index 2'],
    ['fail/LF in a line', 'a\nb', 'line', 'contains a control character (U+000A) at index 1'],
    ['fail/TAB in a line', '\t', 'line', 'contains a control character (U+0009) at index 0'],
    ['fail/US, the last C0', 'a\x1f', 'line', 'contains a control character (U+001F) at index 1'],
    ['fail/DEL', 'a\x7f', 'line', 'contains a control character (U+007F) at index 1'],
    ['fail/NEL, a C1', '\u0085', 'line', 'contains a control character (U+0085) at index 0'],
    ['fail/APC, the last C1', '\u009f', 'free', 'contains a control character (U+009F) at index 0'],
    ['fail/NUL in free text', 'a\0', 'free', 'contains a control character (U+0000) at index 1'],
    ['fail/ESC in free text', 'a\x1b[2J', 'free', 'contains a control character (U+001B) at index 1'],
    ['fail/a lone high surrogate', 'a\ud83d', 'line', 'is not well-formed Unicode (a lone surrogate at index 1)'],
    ['fail/a lone low surrogate', '\ude00b', 'free', 'is not well-formed Unicode (a lone surrogate at index 0)'],
    ['ok/U+00A0 is a space, not a control', 'a\u00a0b', 'line', undefined],
  ])('%s', (_n, text, kind, problem) => expect(textProblem(text, kind)).toBe(problem));

  it('escapes what it refuses, and leaves the rest', () => {
    expect(escapeControlCharacters('a\0b\r\n\u0085\ud800 ü 😀')).toBe('a\\u0000b\\u000d\\u000a\\u0085\\ud800 ü 😀');
    expect(escapeControlCharacters('line 1\nline\t2\0', 'free')).toBe('line 1\nline\t2\\u0000');
  });

  it('names a field path with keys escaped and cut short', () => {
    expect(fieldPath(['attributes', 'Certificate\0Template'])).toBe('attributes.Certificate\\u0000Template');
    expect(fieldPath(['filters', 0, 'value'])).toBe('filters.0.value');
    expect(fieldPath(['x'.repeat(100)])).toBe(`${'x'.repeat(64)}…`);
  });
});

describe('lineText and freeText schemas', () => {
  const line = lineText(z.string().max(8));
  const free = freeText(z.string());
  it('accept text and keep the other checks', () => {
    expect(line.parse('abc')).toBe('abc');
    expect(line.safeParse('123456789').success).toBe(false);
    expect(free.parse('a\nb')).toBe('a\nb');
  });
  it('refuse, naming the code point and never the text', () => {
    expect(line.safeParse('a\rb').error?.issues.map((i) => i.message)).toEqual(['contains a control character (U+000D) at index 1']);
    expect(free.safeParse('a\0').error?.issues.map((i) => i.message)).toEqual(['contains a control character (U+0000) at index 1']);
    expect(line.safeParse('a\ud800').error?.issues.map((i) => i.message)).toEqual(['is not well-formed Unicode (a lone surrogate at index 1)']);
  });
  it('state the rule in the JSON schema the OpenAPI documents are made of', () => {
    expect(z.toJSONSchema(line)).toMatchObject({ type: 'string', maxLength: 8, pattern: '^[^\\x00-\\x1f\\x7f-\\x9f]*$' });
  });
});

describe('messages that reach the database refuse control characters', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['C1 in attributes', { attributes: 'a:b\u0090' }, 'attributes'],
    ['NUL in attributes', { attributes: 'a:\0' }, 'attributes'],
  ])('fail/submit with %s', (_n, change, field) => {
    const r = SubmitRequestSchema.safeParse({ ...SUBMIT_SAMPLE, ...change });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
  it.each([
    ['NUL in the principal', 'bob\0'],
    ['LF in the principal', 'bob\nadmin'],
  ])('fail/identity with %s', (_n, principal) => {
    const r = IdentitySchema.safeParse({ method: 'enrollment-token', principal });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['principal']);
  });
  it('ok/submit with CRLF between attribute lines', () => {
    expect(SubmitRequestSchema.parse({ ...SUBMIT_SAMPLE, attributes: 'a:b\r\nc:d' }).attributes).toBe('a:b\r\nc:d');
  });
  it.each<[string, Record<string, unknown>, string]>([
    ['NUL in the message', { verdict: 'deny', message: 'no\0' }, 'message'],
    ['LF in decidedBy.value', { verdict: 'deny', message: 'no', decidedBy: { rule: 'r', value: 'a\nb' } }, 'decidedBy.value'],
    ['CR in a subject value', { verdict: 'issue', message: '', changes: { subject: [{ type: 'CN', value: 'a\r' }] } }, 'changes.subject.0.value'],
    ['NUL in the template', { verdict: 'issue', message: '', changes: { template: 'W\0' } }, 'changes.template'],
  ])('fail/policy verdict with %s', (_n, reply, field) => {
    expect(PolicyVerifyReplySchema.safeParse(reply).error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
  it.each<[string, { safeParse(v: unknown): { error?: { issues: Array<{ path: PropertyKey[] }> } } }, Record<string, unknown>, string]>([
    ['an actor name with NUL', ActorSchema, { name: 'a\0', roles: ['officer'] }, 'name'],
    ['a deny reason with ESC', DenyRequestSchema, { requestId: 1, reason: 'no\x1b[31m' }, 'reason'],
    ['set attributes with NUL', SetAttributesRequestSchema, { requestId: 1, attributes: 'a:\0' }, 'attributes'],
    ['a view filter value with NUL', ViewRequestSchema, { filters: [{ column: 'Subject', op: 'eq', value: 'CN=\0' }] }, 'filters.0.value'],
    ['an audit detail with LF', AuditRecordRequestSchema, { action: 'deadletter.discard', details: { id: 'a\nb' } }, 'details.id'],
    ['a module description with NUL', ModuleRegisterSchema, { kind: 'exit', name: 'm', description: '\0' }, 'description'],
    ['a policy template name with DEL', PolicyInitReplySchema, { name: 'p', description: '', version: '1', templates: ['Web\x7f'] }, 'templates.0'],
  ])('fail/%s', (_n, schema, msg, field) => {
    expect(schema.safeParse(msg).error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
  it('ok/policy verdict with a multi-line message', () => {
    expect(PolicyVerifyReplySchema.safeParse({ verdict: 'deny', message: 'two\nlines' }).success).toBe(true);
  });
});

describe('attribute strings', () => {
  it.each<[string, string, number]>([
    ['TAB in a value', 'a:b\tc', 1],
    ['a lone CR inside a line', 'a:b\n c:d\re', 2],
    ['C1 in a value', 'x:1\ny:\u0085', 2],
    ['VT in a name, which spaces are removed from', 'Certificate\x0bTemplate:WebServer', 1],
    ['NUL', '\0', 1],
  ])('fail/%s: BAD_ATTRIBUTES naming the line', (_n, raw, line) => {
    expect(() => parseAttributes(raw)).toThrow(expect.objectContaining({ code: ErrorCode.BadAttributes, details: { line } }));
  });
  it('formatAttributes counts the attribute rather than quoting a bad name', () => {
    let e: SignetError | undefined;
    try {
      formatAttributes({ ok: 'x', 'evil\0name': 'v' });
    } catch (err) {
      e = err as SignetError;
    }
    expect(e).toMatchObject({ code: ErrorCode.BadAttributes, message: 'attribute 2: its name contains a control character (U+0000) at index 4', details: { attribute: 2 } });
    expect(() => formatAttributes({ a: 'b\u009b' })).toThrow(/attribute 1: its value contains a control character \(U\+009B\)/);
  });
});

describe('error bodies', () => {
  it('fit the wire: a message longer than 4096 characters is cut', () => {
    const body = new SignetError(ErrorCode.BadMessage, 'x'.repeat(10_000)).toBody();
    expect(body.message).toHaveLength(4096);
  });
});
