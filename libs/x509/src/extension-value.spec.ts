import { ErrorCode } from '@signet/contracts';
import { spawnSync } from 'node:child_process';
import { encodeExtensionValue, integerContent } from './extension-value';

const hex = (b: Buffer) => b.toString('hex');

/** OpenSSL's reading of the DER, as an independent check of the encoding. */
function asn1parse(der: Buffer): string {
  const r = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('encodeExtensionValue (SetCertificateExtension value types)', () => {
  it.each<[string, Parameters<typeof encodeExtensionValue>[0], string]>([
    ['ok/string → IA5String', { type: 'string', value: 'http://crl.example.test/a.crl' }, '161d687474703a2f2f63726c2e6578616d706c652e746573742f612e63726c'],
    ['ok/empty string', { type: 'string', value: '' }, '1600'],
    ['ok/long 0', { type: 'long', value: 0 }, '020100'],
    ['ok/long 127', { type: 'long', value: 127 }, '02017f'],
    ['ok/long 128 needs a leading zero octet', { type: 'long', value: 128 }, '02020080'],
    ['ok/long 256', { type: 'long', value: 256 }, '02020100'],
    ['ok/long -1', { type: 'long', value: -1 }, '0201ff'],
    ['ok/long -128', { type: 'long', value: -128 }, '020180'],
    ['ok/long -129', { type: 'long', value: -129 }, '0202ff7f'],
    ['ok/long max', { type: 'long', value: 2147483647 }, '02047fffffff'],
    ['ok/long min', { type: 'long', value: -2147483648 }, '020480000000'],
    ['ok/date before 2050 → UTCTime, whole seconds', { type: 'date', value: '2030-06-01T12:34:56.789Z' }, `170d${Buffer.from('300601123456Z').toString('hex')}`],
    ['ok/date with offset is stored in UTC', { type: 'date', value: '2030-06-01T14:34:56+02:00' }, `170d${Buffer.from('300601123456Z').toString('hex')}`],
    ['ok/date from 2050 → GeneralizedTime', { type: 'date', value: '2050-01-01T00:00:00Z' }, `180f${Buffer.from('20500101000000Z').toString('hex')}`],
    ['ok/der as given', { type: 'der', value: Buffer.from('30060101ff020101', 'hex').toString('base64') }, '30060101ff020101'],
  ])('%s', (_n, v, expected) => {
    const der = encodeExtensionValue(v);
    expect(hex(der)).toBe(expected);
    asn1parse(der); // OpenSSL reads it as one element
  });

  it('OpenSSL reads the typed values as the ASN.1 types AD CS uses', () => {
    expect(asn1parse(encodeExtensionValue({ type: 'string', value: 'hello' }))).toMatch(/IA5STRING\s+:hello$/);
    expect(asn1parse(encodeExtensionValue({ type: 'long', value: -129 }))).toMatch(/INTEGER\s+:-81$/);
    expect(asn1parse(encodeExtensionValue({ type: 'date', value: '2030-06-01T12:34:56Z' }))).toMatch(/UTCTIME\s+:300601123456Z$/);
    expect(asn1parse(encodeExtensionValue({ type: 'date', value: '2051-06-01T12:34:56Z' }))).toMatch(/GENERALIZEDTIME\s+:20510601123456Z$/);
  });

  it('uses a long-form length for long strings', () => {
    const der = encodeExtensionValue({ type: 'string', value: 'a'.repeat(300) });
    expect(hex(der.subarray(0, 4))).toBe('1682012c');
    expect(der.length).toBe(304);
  });

  it.each<[string, Parameters<typeof encodeExtensionValue>[0], RegExp]>([
    ['fail/non-ASCII string', { type: 'string', value: 'grüße' }, /must be ASCII/],
    ['fail/der that is not DER', { type: 'der', value: Buffer.from('3005020101', 'hex').toString('base64') }, /not valid DER/],
    ['fail/der with trailing bytes', { type: 'der', value: Buffer.from('02010100', 'hex').toString('base64') }, /1 byte\(s\) after/],
    ['fail/der with indefinite length', { type: 'der', value: Buffer.from('3080020101 0000'.replace(' ', ''), 'hex').toString('base64') }, /indefinite length/],
    ['fail/empty der', { type: 'der', value: '' }, /empty DER/],
  ])('%s', (_n, v, message) => {
    expect(() => encodeExtensionValue(v)).toThrow(expect.objectContaining({ code: ErrorCode.BadMessage, message: expect.stringMatching(message) }));
  });

  it('fail/a long outside 32 bits', () => {
    expect(() => integerContent(2 ** 31)).toThrow(/32-bit/);
    expect(() => integerContent(1.5)).toThrow(/32-bit/);
  });
});
