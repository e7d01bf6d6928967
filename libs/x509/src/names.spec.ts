import * as asn1js from 'asn1js';
import type { Name } from '@signet/contracts';
import { ErrorCode } from '@signet/contracts';
import { decodeName, encodeName, formatName, nameFromPkijs, nameToPkijs, parseNameString } from './names';
import { must } from './test-tools';

const ROOT: Name = [
  { type: 'C', value: 'DE' },
  { type: 'O', value: 'Signet' },
  { type: 'CN', value: 'Signet Root CA' },
];

describe('parseNameString', () => {
  it.each<[string, string, Name]>([
    ['ok/comma form', 'C=DE,O=Signet,CN=Signet Root CA', ROOT],
    ['ok/comma form with spaces', 'C=DE, O=Signet, CN=Signet Root CA', ROOT],
    ['ok/OpenSSL form', '/C=DE/O=Signet/CN=Signet Root CA', ROOT],
    ['ok/lower-case types and aliases', 'c=DE,o=Signet,emailAddress=ca@example.com', [{ type: 'C', value: 'DE' }, { type: 'O', value: 'Signet' }, { type: 'E', value: 'ca@example.com' }]],
    ['ok/escaped comma', 'O=Signet\\, Inc.,CN=x', [{ type: 'O', value: 'Signet, Inc.' }, { type: 'CN', value: 'x' }]],
    ['ok/hex escape', 'CN=Gr\\C3\\BC\\C3\\9Fe', [{ type: 'CN', value: 'Grüße' }]],
    ['ok/slash inside comma form', 'CN=a/b', [{ type: 'CN', value: 'a/b' }]],
    ['ok/dotted OID', '2.5.4.3=by oid', [{ type: 'CN', value: 'by oid' }]],
    ['ok/DC', 'DC=com,DC=example,CN=x', [{ type: 'DC', value: 'com' }, { type: 'DC', value: 'example' }, { type: 'CN', value: 'x' }]],
    ['ok/empty', '', []],
  ])('%s', (_n, text, name) => expect(parseNameString(text)).toEqual(name));

  it.each<[string, string, RegExp]>([
    ['fail/CN too long', `CN=${'x'.repeat(65)}`, /CN longer than 64/],
    ['fail/O too long', `O=${'x'.repeat(65)}`, /O longer than 64/],
    ['fail/C of three letters', 'C=DEU', /two-letter/],
    ['fail/C with a digit', 'C=D1', /two-letter/],
    ['fail/unknown type', 'XX=1', /unknown attribute type "XX"/],
    ['fail/no equals sign', 'CN', /not TYPE=value/],
    ['fail/empty value', 'CN=', /CN is empty/],
    ['fail/multi-valued RDN', 'CN=a+O=b', /multi-valued/],
    ['fail/non-ASCII email', 'E=ü@example.com', /E must be ASCII/],
  ])('%s', (_n, text, message) => {
    expect(() => parseNameString(text)).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest, message: expect.stringMatching(message) }));
  });
});

describe('formatName', () => {
  it.each<[string, Name, string]>([
    ['ok/plain', ROOT, 'C=DE, O=Signet, CN=Signet Root CA'],
    ['ok/escapes', [{ type: 'O', value: 'A, B + "C" <d>;' }], 'O=A\\, B \\+ \\"C\\" \\<d\\>\\;'],
    ['ok/leading hash and spaces', [{ type: 'CN', value: '#1 ' }], 'CN=\\#1\\ '],
    ['ok/OID type', [{ type: '1.2.3.4', value: 'x' }], '1.2.3.4=x'],
  ])('%s', (_n, name, text) => {
    expect(formatName(name)).toBe(text);
    expect(parseNameString(text)).toEqual(name);
  });
});

describe('encodeName / nameToPkijs', () => {
  it('writes one SET per RDN with the X.520 string types', () => {
    const name: Name = [...ROOT, { type: 'serialNumber', value: '1234' }, { type: 'E', value: 'ca@example.com' }, { type: 'DC', value: 'example' }];
    const der = encodeName(name);
    const asn1 = must('openssl', ['asn1parse', '-inform', 'DER'], der);
    expect(asn1.match(/ SET /g)).toHaveLength(6);
    expect(asn1).toMatch(/countryName\s*\n.*PRINTABLESTRING\s*:DE/);
    expect(asn1).toMatch(/serialNumber\s*\n.*PRINTABLESTRING\s*:1234/);
    expect(asn1).toMatch(/emailAddress\s*\n.*IA5STRING\s*:ca@example.com/);
    expect(asn1).toMatch(/domainComponent\s*\n.*IA5STRING\s*:example/);
    expect(asn1).toMatch(/commonName\s*\n.*UTF8STRING\s*:Signet Root CA/);
    expect(decodeName(der)).toEqual(name);
  });

  it('gives pkijs our encoding, not its multi-valued one', () => {
    const rdns = nameToPkijs(ROOT);
    expect(Buffer.from(rdns.toSchema().toBER(false))).toEqual(encodeName(ROOT));
    expect(rdns.typesAndValues).toHaveLength(3);
    expect(nameFromPkijs(rdns)).toEqual(ROOT);
  });

  it('flattens a multi-valued RDN and shows non-string values as #hex', () => {
    const atv = (oid: string, v: asn1js.AsnType) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), v] });
    const der = Buffer.from(
      new asn1js.Sequence({
        value: [
          new asn1js.Set({ value: [atv('2.5.4.10', new asn1js.PrintableString({ value: 'A' })), atv('2.5.4.11', new asn1js.Utf8String({ value: 'B' }))] }),
          new asn1js.Set({ value: [atv('1.2.3.4', new asn1js.Integer({ value: 5 }))] }),
        ],
      }).toBER(),
    );
    expect(decodeName(der)).toEqual([
      { type: 'O', value: 'A' },
      { type: 'OU', value: 'B' },
      { type: '1.2.3.4', value: '#020105' },
    ]);
  });

  it('refuses invalid names', () => {
    expect(() => encodeName([{ type: 'CN', value: 'x'.repeat(65) }])).toThrow(/CN longer than 64/);
    expect(() => nameToPkijs([{ type: 'nope', value: 'x' }])).toThrow(/unknown attribute type/);
  });
});
