import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { San } from '@signet/contracts';
import { ErrorCode } from '@signet/contracts';
import { OID } from '../oids';
import {
  KEY_USAGES,
  KeyUsageName,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyIdentifier,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  ipFromBytes,
  ipToBytes,
  subjectKeyIdentifier,
} from './index';

const hex = (b: Buffer) => b.toString('hex');
const malformed = expect.objectContaining({ code: ErrorCode.MalformedRequest });

describe('keyUsage', () => {
  // Expected DER from X.690 11.2.2 (no trailing zero bits).
  it.each<[string, KeyUsageName[], string]>([
    ['ok/digitalSignature', ['digitalSignature'], '03020780'],
    ['ok/CA usages', ['digitalSignature', 'keyCertSign', 'cRLSign'], '03020186'],
    ['ok/keyEncipherment', ['digitalSignature', 'keyEncipherment'], '030205a0'],
    ['ok/encipherOnly', ['keyAgreement', 'encipherOnly'], '03020009'],
    ['ok/decipherOnly', ['keyAgreement', 'decipherOnly'], '0303070880'],
  ])('%s', (_n, usages, der) => {
    expect(hex(encodeKeyUsage(usages))).toBe(der);
    expect(decodeKeyUsage(Buffer.from(der, 'hex'))).toEqual([...usages].sort((a, b) => KEY_USAGES.indexOf(a) - KEY_USAGES.indexOf(b)));
  });

  it('round-trips every usage', () => {
    const all = [...KEY_USAGES];
    expect(decodeKeyUsage(encodeKeyUsage(all))).toEqual(all);
  });

  it.each([
    ['fail/empty list', () => encodeKeyUsage([])],
    ['fail/unknown usage', () => encodeKeyUsage(['bogus' as KeyUsageName])],
    ['fail/undefined bit 9', () => decodeKeyUsage(Buffer.from('030306ffc0', 'hex'))],
    ['fail/not a BIT STRING', () => decodeKeyUsage(Buffer.from('0401ff', 'hex'))],
    ['fail/trailing bytes', () => decodeKeyUsage(Buffer.from('0302078000', 'hex'))],
    ['fail/garbage', () => decodeKeyUsage(Buffer.from('ff', 'hex'))],
  ])('%s', (_n, fn) => expect(fn).toThrow(malformed));
});

describe('extKeyUsage', () => {
  it('round-trips and matches the known DER', () => {
    const der = encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]);
    expect(hex(der)).toBe('301406082b0601050507030106082b06010505070302');
    expect(decodeExtKeyUsage(der)).toEqual([OID.serverAuth, OID.clientAuth]);
  });
  it.each([
    ['fail/empty', () => encodeExtKeyUsage([])],
    ['fail/not an OID', () => encodeExtKeyUsage(['serverAuth'])],
    ['fail/duplicate', () => encodeExtKeyUsage([OID.serverAuth, OID.serverAuth])],
    ['fail/empty SEQUENCE', () => decodeExtKeyUsage(Buffer.from('3000', 'hex'))],
    ['fail/INTEGER inside', () => decodeExtKeyUsage(Buffer.from('3003020101', 'hex'))],
  ])('%s', (_n, fn) => expect(fn).toThrow(malformed));
});

describe('basicConstraints', () => {
  it.each<[string, { ca: boolean; pathLength?: number }, string]>([
    ['ok/end entity (cA FALSE omitted)', { ca: false }, '3000'],
    ['ok/CA', { ca: true }, '30030101ff'],
    ['ok/CA pathLen 0', { ca: true, pathLength: 0 }, '30060101ff020100'],
    ['ok/CA pathLen 200', { ca: true, pathLength: 200 }, '30070101ff020200c8'],
  ])('%s', (_n, bc, der) => {
    expect(hex(encodeBasicConstraints(bc))).toBe(der);
    expect(decodeBasicConstraints(Buffer.from(der, 'hex'))).toEqual(bc);
  });
  it.each([
    ['fail/pathLength without CA', () => encodeBasicConstraints({ ca: false, pathLength: 1 })],
    ['fail/negative pathLength', () => encodeBasicConstraints({ ca: true, pathLength: -1 })],
    ['fail/extra component', () => decodeBasicConstraints(Buffer.from('30060101ff0c0161', 'hex'))],
    ['fail/negative decoded', () => decodeBasicConstraints(Buffer.from('30060101ff0201ff', 'hex'))],
  ])('%s', (_n, fn) => expect(fn).toThrow(malformed));
});

describe('subjectAltName', () => {
  const all: San[] = [
    { type: 'dns', value: 'www.example.com' },
    { type: 'dns', value: '*.example.org' },
    { type: 'email', value: 'alice@example.com' },
    { type: 'ip', value: '192.0.2.7' },
    { type: 'ip', value: '2001:db8::1' },
    { type: 'uri', value: 'https://example.com/x' },
    { type: 'upn', value: 'alice@corp.example' },
  ];

  it('round-trips every supported kind in order', () => {
    expect(decodeSubjectAltName(encodeSubjectAltName(all))).toEqual(all);
  });

  it('encodes the way OpenSSL reads it', () => {
    // An independent parser sees the implicit tags and the UPN otherName structure.
    const der = encodeSubjectAltName(all);
    const text = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-i'], { input: der }).toString();
    expect(text).toContain('cont [ 2 ]');
    expect(text).toContain('cont [ 7 ]');
    expect(text).toContain('Microsoft User Principal Name');
    expect(text).toContain('UTF8STRING');
  });

  it.each<[string, string]>([
    ['ok/ipv6 loopback', '::1'],
    ['ok/ipv6 all zero', '::'],
    ['ok/ipv6 full', '2001:db8:1:2:3:4:5:6'],
    ['ok/ipv6 mapped v4', '::ffff:192.0.2.1'],
    ['ok/ipv6 middle gap', '2001:db8::7:0:1'],
  ])('%s', (_n, ip) => {
    const bytes = ipToBytes(ip);
    expect(bytes.length).toBe(16);
    // Compare through the URL parser, which canonicalises IPv6 independently.
    expect(new URL(`http://[${ipFromBytes(bytes)}]`).hostname).toBe(new URL(`http://[${ip}]`).hostname);
  });

  it('formats IPv6 in RFC 5952 form', () => {
    expect(ipFromBytes(ipToBytes('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
  });

  it.each([
    ['fail/empty list', () => encodeSubjectAltName([])],
    ['fail/bad ip', () => encodeSubjectAltName([{ type: 'ip', value: '300.1.1.1' }])],
    ['fail/ip with zone', () => encodeSubjectAltName([{ type: 'ip', value: 'fe80::1%eth0' }])],
    ['fail/non-ASCII dns', () => encodeSubjectAltName([{ type: 'dns', value: 'bücher.example' }])],
    // directoryName [4] containing an empty Name.
    ['fail/directoryName refused', () => decodeSubjectAltName(Buffer.from('3004a4023000', 'hex'))],
    // registeredID [8] 1.2.3
    ['fail/registeredID refused', () => decodeSubjectAltName(Buffer.from('300488022a03', 'hex'))],
    ['fail/ip of 5 octets', () => decodeSubjectAltName(Buffer.from('3007870501020304ff', 'hex'))],
    ['fail/empty GeneralNames', () => decodeSubjectAltName(Buffer.from('3000', 'hex'))],
    ['fail/universal tag inside', () => decodeSubjectAltName(Buffer.from('3003160161', 'hex'))],
  ])('%s', (_n, fn) => expect(fn).toThrow(malformed));
});

describe('key identifiers', () => {
  it('computes method (1) like OpenSSL does', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const ski = subjectKeyIdentifier(spki);
    expect(ski.length).toBe(20);
    // The last 65 bytes of a P-256 SPKI are the uncompressed point; hash them directly.
    const direct = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
    expect(hex(ski)).toBe(hex(direct));
  });

  it('round-trips SKI and AKI', () => {
    const id = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');
    expect(hex(encodeSubjectKeyIdentifier(id))).toBe(`0414${hex(id)}`);
    expect(decodeSubjectKeyIdentifier(encodeSubjectKeyIdentifier(id))).toEqual(id);
    expect(hex(encodeAuthorityKeyIdentifier(id))).toBe(`30168014${hex(id)}`);
    expect(decodeAuthorityKeyIdentifier(encodeAuthorityKeyIdentifier(id))).toEqual(id);
  });

  it.each([
    ['fail/empty key id', () => encodeSubjectKeyIdentifier(Buffer.alloc(0))],
    ['fail/SPKI without key', () => subjectKeyIdentifier(Buffer.from('3000', 'hex'))],
    ['fail/SKI not an OCTET STRING', () => decodeSubjectKeyIdentifier(Buffer.from('020101', 'hex'))],
  ])('%s', (_n, fn) => expect(fn).toThrow(malformed));
});
