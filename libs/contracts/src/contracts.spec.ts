import { canonicalAttributeName, formatAttributes, parseAttributes } from './attributes';
import { isValidCaName } from './ca-name';
import { eventsInMask, EXIT_EVENT_ALL_MASK, EXIT_EVENT_BIT, maskOf } from './enums/events';
import { ErrorCode, HTTP_STATUS, SignetError } from './errors';
import { replyEnvelopeSchema } from './envelope';
import { RequestResultSchema, RetrievalSecretSchema, RetrieveRequestSchema, SUBMIT_SAMPLE, SubmitRequestSchema, SubmitResultSchema } from './messages/submit';
import { PolicyVerifyReplySchema } from './messages/policy';
import { allSubjectPatterns, BusSubmit, Commands, Discovery, Events } from './subjects';
import { IDENTITY_ASSERTION_MAX_CHARS } from './messages/identity-assertion';

describe('CA names', () => {
  it.each(['signet', 'a', 'issuing-ca-2', 'x'.repeat(63)])('ok/%s', (n) => expect(isValidCaName(n)).toBe(true));
  it.each(['', 'Signet', '-a', 'a.b', 'a b', 'a*', 'a>', 'x'.repeat(64)])('fail/%s', (n) => expect(isValidCaName(n)).toBe(false));
});

describe('subjects', () => {
  it('put fixed tokens first and the CA name second', () => {
    expect(Commands.submit.subject('acme')).toBe('ca.acme.request.submit');
    expect(Commands.policyVerify.subject('acme')).toBe('policy.acme.verify');
    expect(Events.subject('acme', 'certificate.issued')).toBe('ca.acme.events.certificate.issued');
    expect(Events.allOfCa('acme')).toBe('ca.acme.events.>');
  });
  it('refuse a CA name that would change the subject', () => {
    expect(() => Commands.submit.subject('a.>')).toThrow(/invalid CA name/);
    expect(() => Events.subject('*', 'ca.startup')).toThrow(/invalid CA name/);
  });
  it('have one wildcard per command and unique names', () => {
    const names = Object.values(Commands).map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of Object.values(Commands)) expect(c.wildcard).toBe(c.subject('x').replace('.x.', '.*.'));
    expect(allSubjectPatterns()).toContain(Discovery.subject);
  });
  it('a bus submitter subject ends with its NATS user, and only that subject gives one back', () => {
    expect(BusSubmit.subject('acme', 'billing-svc')).toBe('ca.acme.request.submit.bus.billing-svc');
    expect(BusSubmit.userOf('acme', 'ca.acme.request.submit.bus.billing-svc')).toBe('billing-svc');
    expect(BusSubmit.permission('billing-svc')).toBe('ca.*.request.submit.bus.billing-svc');
    expect(Commands.submitBus.subject('acme')).toBe('ca.acme.request.submit.bus.*');
    for (const other of ['ca.acme.request.submit', 'ca.other.request.submit.bus.billing-svc', 'ca.acme.request.submit.bus.', 'ca.acme.request.submit.bus.a.b', 'ca.acme.request.submit.busx']) {
      expect(BusSubmit.userOf('acme', other)).toBeUndefined();
    }
    for (const bad of ['', 'a.b', '*', '>', 'a b', '-a', 'x'.repeat(65)]) expect(() => BusSubmit.subject('acme', bad)).toThrow(/invalid bus user/);
  });
  it('events are captured by the stream', () => {
    expect(Events.streamSubjects).toEqual(['ca.*.events.>']);
  });
});

describe('messages', () => {
  it('the submit sample is a valid submit', () => {
    expect(SubmitRequestSchema.parse(SUBMIT_SAMPLE)).toMatchObject({ format: 'pkcs10', attributes: 'CertificateTemplate:WebServer' });
  });
  it('a submitter no longer writes who it is: requester is an unknown field, the identity travels signed', () => {
    expect(SubmitRequestSchema.safeParse({ ...SUBMIT_SAMPLE, requester: 'alice' }).success).toBe(false);
    expect(RetrieveRequestSchema.safeParse({ requestId: 1, requester: 'alice' }).success).toBe(false);
    expect(SubmitRequestSchema.parse({ ...SUBMIT_SAMPLE, identityAssertion: 'aGVhZA.Ym9keQ.c2ln' }).identityAssertion).toBe('aGVhZA.Ym9keQ.c2ln');
  });
  it.each([
    ['not three parts', 'aGVhZA.Ym9keQ'],
    ['padding', 'aGVhZA==.Ym9keQ.c2ln'],
    ['over the limit', `${'A'.repeat(IDENTITY_ASSERTION_MAX_CHARS)}.B.C`],
  ])('fail/identity assertion %s', (_n, jws) => {
    expect(SubmitRequestSchema.safeParse({ ...SUBMIT_SAMPLE, identityAssertion: jws }).success).toBe(false);
    expect(RetrieveRequestSchema.safeParse({ requestId: 1, identityAssertion: jws }).success).toBe(false);
  });
  it.each([
    ['unknown field', { ...SUBMIT_SAMPLE, extra: 1 }],
    ['oversize request', { ...SUBMIT_SAMPLE, request: 'A'.repeat(70_000) }],
    ['idempotency key with a space', { ...SUBMIT_SAMPLE, idempotencyKey: 'a b' }],
    ['wrong format', { ...SUBMIT_SAMPLE, format: 'cmc' }],
  ])('fail/submit with %s', (_n, msg) => {
    expect(SubmitRequestSchema.safeParse(msg).success).toBe(false);
  });
  it('a policy verdict is for an end-entity template unless it says caTemplate (ADR 0023)', () => {
    expect(PolicyVerifyReplySchema.parse({ verdict: 'issue', message: '' })).toMatchObject({ caTemplate: false, changes: {} });
    expect(PolicyVerifyReplySchema.parse({ verdict: 'issue', message: '', caTemplate: true }).caTemplate).toBe(true);
    expect(PolicyVerifyReplySchema.safeParse({ verdict: 'issue', message: '', caTemplate: 'yes' }).success).toBe(false);
  });
  it('a submit reply carries the retrieval secret; other results do not need one', () => {
    const result = { requestId: 1, disposition: 'pending', dispositionCode: 5, message: '' };
    const secret = `sgr_${'A'.repeat(42)}w`;
    expect(SubmitResultSchema.parse({ ...result, retrievalSecret: secret }).retrievalSecret).toBe(secret);
    expect(SubmitResultSchema.safeParse(result).success).toBe(false);
    expect(RequestResultSchema.parse({ ...result, retrievalSecret: secret })).not.toHaveProperty('retrievalSecret');
  });
  it.each([
    ['no prefix', 'A'.repeat(43)],
    ['too short', `sgr_${'A'.repeat(42)}`],
    ['not base64url', `sgr_${'A'.repeat(42)}+`],
  ])('fail/retrieval secret with %s', (_n, s) => {
    expect(RetrievalSecretSchema.safeParse(s).success).toBe(false);
  });
  it('a retrieve asks as anonymous unless a front door signed who, and may carry any secret text up to the limit', () => {
    expect(RetrieveRequestSchema.parse({ requestId: 3 })).toEqual({ requestId: 3 });
    expect(RetrieveRequestSchema.parse({ requestId: 3, retrievalSecret: 'wrong' })).toEqual({ requestId: 3, retrievalSecret: 'wrong' });
    expect(RetrieveRequestSchema.safeParse({ requestId: 3, retrievalSecret: 'x'.repeat(257) }).success).toBe(false);
    expect(RetrieveRequestSchema.safeParse({ requestId: 3, retrievalSecret: '' }).success).toBe(false);
  });
  it('reply envelopes are ok/data or error', () => {
    const s = replyEnvelopeSchema(RequestResultSchema);
    expect(s.safeParse({ ok: true, data: { requestId: 1, disposition: 'pending', dispositionCode: 5, message: '' } }).success).toBe(true);
    expect(s.safeParse({ ok: false, error: { code: 'NOT_FOUND', message: 'x', retryable: false } }).success).toBe(true);
    expect(s.safeParse({ ok: false, error: { code: 'NOPE', message: 'x', retryable: false } }).success).toBe(false);
  });
});

describe('errors', () => {
  it('every code has an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
  });
  it('round-trip through the wire body', () => {
    const e = new SignetError(ErrorCode.PolicyUnavailable, 'later', { requestId: 3 });
    const back = SignetError.fromBody(JSON.parse(JSON.stringify(e.toBody())));
    expect(back).toMatchObject({ code: 'POLICY_UNAVAILABLE', retryable: true, details: { requestId: 3 } });
  });
});

describe('exit event masks (EXITEVENT_*)', () => {
  it('use AD CS bit values', () => {
    expect(EXIT_EVENT_BIT).toMatchObject({ 'certificate.issued': 0x1, 'request.pending': 0x2, 'request.denied': 0x4, 'certificate.revoked': 0x8, 'request.retrieved': 0x10, 'crl.issued': 0x20, 'ca.shutdown': 0x40, 'ca.startup': 0x80, 'certificate.imported': 0x200 });
  });
  it('select exactly the events in a mask', () => {
    expect(eventsInMask(0x5)).toEqual(['certificate.issued', 'request.denied']);
    expect(maskOf(eventsInMask(EXIT_EVENT_ALL_MASK))).toBe(EXIT_EVENT_ALL_MASK);
    expect(eventsInMask(0x100)).toEqual([]);
  });
});

describe('request attributes (AD CS name:value lines)', () => {
  it('ok/names ignore case, spaces and dashes; values are trimmed; later lines win', () => {
    const a = parseAttributes('Certificate-Template : WebServer \n\nsan:dns=a.example.com\ncertificatetemplate:Other');
    expect(a.get('certificatetemplate')).toEqual({ name: 'certificatetemplate', value: 'Other' });
    expect(a.get('san')?.value).toBe('dns=a.example.com');
    expect(canonicalAttributeName('Validity Period-Units')).toBe('validityperiodunits');
  });
  it('ok/values may contain colons', () => {
    expect(parseAttributes('url:https://x.example/a').get('url')?.value).toBe('https://x.example/a');
  });
  it.each([
    ['a line without a colon', 'CertificateTemplate'],
    ['an empty name', ':value'],
    ['a name with symbols', 'a$b:c'],
    ['a name too long', `${'n'.repeat(128)}:v`],
    ['a value too long', `n:${'v'.repeat(4097)}`],
    ['a control character', 'n:a\u0001b'],
    ['too many attributes', Array.from({ length: 65 }, (_, i) => `n${i}:v`).join('\n')],
  ])('fail/%s', (_n, raw) => {
    expect(() => parseAttributes(raw)).toThrow(expect.objectContaining({ code: 'BAD_ATTRIBUTES' }));
  });
  it('formats a map back and refuses newlines', () => {
    expect(formatAttributes({ CertificateTemplate: 'WebServer', a: 'b' })).toBe('CertificateTemplate:WebServer\na:b');
    expect(() => formatAttributes({ a: 'b\nevil:1' })).toThrow(expect.objectContaining({ code: 'BAD_ATTRIBUTES' }));
  });
});
