import { ErrorCode, textProblem, type SignetError } from '@signet/contracts';
import { fuzzKey, rawCsr, rawCsrInfo, signCsr, type RawRdn, type RawSan } from '@signet/testing';
import { parseCsr } from './csr';
import { decodeElement } from './der';
import { encodeSubjectAltName } from './extensions';
import { parseNameString, validateName } from './names';

/*
 * Requests whose signature verifies but whose names or bytes must not get
 * any further (ADR 0022). Built with @signet/testing's raw DER writer, which
 * writes what the library's own encoders refuse to.
 */

const key = fuzzKey();
const CN = (value: string, tag: RawRdn['tag'] = 'utf8'): RawRdn => ({ type: 'CN', tag, value });
const dns = (value: string): RawSan => ({ type: 'dns', value });

async function refusal(der: Buffer): Promise<SignetError> {
  return parseCsr(der).then(
    (r) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(r.subject)} ${JSON.stringify(r.subjectAltNames)}`);
    },
    (e: SignetError) => e,
  );
}

/** The request with the first occurrence of `text` in its CertificationRequestInfo changed by `change`, signed again. */
function changed(subject: RawRdn[], sans: RawSan[], text: string, change: (info: Buffer, at: number) => void): Buffer {
  const info = rawCsrInfo(key, subject, sans);
  change(info, info.indexOf(Buffer.from(text)));
  return signCsr(info, key);
}

describe('parseCsr refuses names with control characters, naming the field', () => {
  it.each<[string, RawRdn[], RawSan[], string, string]>([
    ['fail/NUL in a DNS name', [CN('a.example.com')], [dns('a\0b.example.com')], 'san.dns[0]', 'U+0000'],
    ['fail/CR LF in the CN', [CN('a\r\nb')], [dns('ab.example.com')], 'subject.CN', 'U+000D'],
    ['fail/LF in the second DNS name', [CN('a.example.com')], [dns('a.example.com'), dns('b\n.example.com')], 'san.dns[1]', 'U+000A'],
    ['fail/NEL (C1) in the second OU, PrintableString', [{ type: 'OU', tag: 'utf8', value: 'x' }, { type: 'OU', tag: 'printable', value: 'a\x85b' }, CN('c')], [], 'subject.OU[1]', 'U+0085'],
    ['fail/DEL in an email name', [CN('a')], [{ type: 'email', value: 'a\x7f@example.com' }], 'san.email[0]', 'U+007F'],
    ['fail/TAB in a URI', [CN('a')], [{ type: 'uri', value: 'https://example.com/\tx' }], 'san.uri[0]', 'U+0009'],
    ['fail/ESC in a UPN', [CN('a')], [{ type: 'upn', value: 'user\x1b@example.com' }], 'san.upn[0]', 'U+001B'],
    ['fail/CSI (C1) in a UPN', [CN('a')], [{ type: 'upn', value: 'user\x9b@example.com' }], 'san.upn[0]', 'U+009B'],
    ['fail/NUL in O, BMPString', [{ type: 'O', tag: 'bmp', value: 'Ex\0ample' }, CN('a')], [], 'subject.O', 'U+0000'],
    ['fail/BEL in CN, UniversalString', [CN('a\x07', 'universal')], [], 'subject.CN', 'U+0007'],
    ['fail/VT in the CN, TeletexString', [CN('a\x0bb', 'teletex')], [], 'subject.CN', 'U+000B'],
  ])('%s', async (_n, subject, sans, field, codePoint) => {
    const e = await refusal(rawCsr(key, subject, sans));
    expect(e).toMatchObject({ code: ErrorCode.MalformedRequest, details: { field } });
    expect(e.message).toContain(field);
    expect(e.message).toContain(codePoint);
    // The message names the code point; it never carries it.
    expect(textProblem(e.message)).toBeUndefined();
  });

  it('fail/a lone surrogate in a BMPString CN is not well-formed Unicode', async () => {
    const der = changed([CN('abcd', 'bmp')], [], '\0a\0b', (info, at) => info.set([0xd8, 0x00], at));
    const e = await refusal(der);
    expect(e).toMatchObject({ code: ErrorCode.MalformedRequest, details: { field: 'subject.CN' } });
    expect(e.message).toMatch(/not well-formed Unicode/);
  });

  it('ok/printable names, UTF-8 beyond ASCII and a wildcard pass', async () => {
    const csr = await parseCsr(rawCsr(key, [{ type: 'O', tag: 'utf8', value: 'Grüße AG' }, CN('*.example.com')], [dns('*.example.com'), { type: 'upn', value: 'jürgen@example.com' }]));
    expect(csr.subject).toEqual([{ type: 'O', value: 'Grüße AG' }, { type: 'CN', value: '*.example.com' }]);
    expect(csr.subjectAltNames).toEqual([{ type: 'dns', value: '*.example.com' }, { type: 'upn', value: 'jürgen@example.com' }]);
  });
});

describe('parseCsr turns every decoder failure into MALFORMED_REQUEST', () => {
  const subject = [CN('abcdefghij1234')];
  const sans = [dns('ab.example.com')];
  const retag = (tag: number) => changed(subject, sans, 'abcdefghij1234', (info, at) => (info[at - 2] = tag));

  it.each<[string, () => Buffer, RegExp, string | undefined]>([
    // asn1js throws "Wrong input string for conversion" from inside fromBER for this one.
    ['fail/CN tag swapped to GeneralizedTime', () => retag(0x18), /not valid DER \(Wrong input string for conversion\)/, undefined],
    ['fail/CN tag swapped to UTCTime', () => retag(0x17), /not a character string/, 'subject.CN'],
    ['fail/CN tag swapped to INTEGER', () => retag(0x02), /not a character string/, 'subject.CN'],
    ['fail/CN tag swapped to OBJECT IDENTIFIER', () => retag(0x06), /not a character string/, 'subject.CN'],
    ['fail/CN tag swapped to UniversalString of the wrong length', () => retag(0x1c), /multiple of 4/, undefined],
    ['fail/invalid UTF-8 in a UTF8String', () => changed(subject, sans, 'abcdefghij1234', (info, at) => (info[at] = 0xff)), /not valid for its string type/, 'subject.CN'],
  ])('%s', async (_n, der, message, field) => {
    const e = await refusal(der());
    expect(e.code).toBe(ErrorCode.MalformedRequest);
    expect(e.message).toMatch(message);
    expect(e.details?.field).toBe(field);
  });

  it('decodeElement reports what asn1js throws instead of throwing it', () => {
    // A GeneralizedTime whose text is no time: asn1js throws while decoding.
    const res = decodeElement(Buffer.from('180e6162636465666768696a31323334', 'hex'));
    expect(res).toEqual({ error: 'Wrong input string for conversion' });
  });
});

describe('names Signet writes never hold control characters', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['fail/validateName with CR LF in the CN', () => validateName([{ type: 'CN', value: 'a\r\nb' }]), /CN contains a control character \(U\+000D\) at index 1/],
    ['fail/validateName with C1 in O', () => validateName([{ type: 'O', value: 'a\u0085' }]), /O contains a control character \(U\+0085\)/],
    ['fail/validateName with a lone surrogate', () => validateName([{ type: 'CN', value: 'a\ud800' }]), /CN is not well-formed Unicode/],
    ['fail/a configured name with an escaped LF', () => parseNameString('CN=a\\0Ab'), /CN contains a control character \(U\+000A\)/],
    ['fail/a DNS name with NUL', () => encodeSubjectAltName([{ type: 'dns', value: 'a\0.example.com' }]), /subjectAltName dns contains a control character \(U\+0000\)/],
    ['fail/a UPN with DEL', () => encodeSubjectAltName([{ type: 'upn', value: 'a\x7f@example.com' }]), /subjectAltName upn contains a control character \(U\+007F\)/],
  ])('%s', (_n, fn, message) => {
    expect(fn).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest, message: expect.stringMatching(message) }));
  });
});
