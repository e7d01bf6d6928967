import { ErrorCode } from '@signet/contracts';
import {
  decodeAuthorityInfoAccess,
  decodeCrlDistributionPoints,
  encodeAuthorityInfoAccess,
  encodeCrlDistributionPoints,
  encodeFreshestCrl,
  encodeOcspNoCheck,
} from './index';

const url = 'http://a.test/c.crl';
const urlHex = Buffer.from(url, 'ascii').toString('hex');
const malformed = expect.objectContaining({ code: ErrorCode.MalformedRequest });

describe('cRLDistributionPoints / freshestCRL', () => {
  it('ok/one URL: DistributionPoint { [0] { [0] fullName { [6] URI } } }', () => {
    expect(encodeCrlDistributionPoints([url]).toString('hex')).toBe(`301b3019a017a0158613${urlHex}`);
    expect(encodeFreshestCrl([url]).toString('hex')).toBe(`301b3019a017a0158613${urlHex}`);
  });

  it('ok/several URLs round-trip in order', () => {
    const urls = ['http://a.test/c.crl', 'ldap://ldap.test/cn=CA?certificateRevocationList', 'https://b.test/x.crl'];
    expect(decodeCrlDistributionPoints(encodeCrlDistributionPoints(urls))).toEqual(urls);
  });

  it.each([
    ['fail/none', [] as string[]],
    ['fail/file URL', ['file:///etc/passwd']],
    ['fail/not a URL', ['crl.example.test/ca.crl']],
    ['fail/space', ['http://a.test/c d.crl']],
    ['fail/non-ASCII', ['http://bücher.test/c.crl']],
    ['fail/too long', [`http://a.test/${'x'.repeat(2048)}`]],
    ['fail/nine URLs', Array.from({ length: 9 }, (_, i) => `http://a.test/${i}.crl`)],
  ])('%s', (_n, urls) => expect(() => encodeCrlDistributionPoints(urls)).toThrow(malformed));
});

describe('authorityInfoAccess', () => {
  it('ok/OCSP then caIssuers, with the PKIX access method OIDs', () => {
    const der = encodeAuthorityInfoAccess({ ocsp: ['http://o.test'], caIssuers: ['http://c.test/ca.crt'] });
    const o = Buffer.from('http://o.test').toString('hex');
    const c = Buffer.from('http://c.test/ca.crt').toString('hex');
    expect(der.toString('hex')).toBe(`303d3019` + `06082b06010505073001` + `860d${o}` + `3020` + `06082b06010505073002` + `8614${c}`);
    expect(decodeAuthorityInfoAccess(der)).toEqual({ ocsp: ['http://o.test'], caIssuers: ['http://c.test/ca.crt'] });
  });

  it('ok/only one kind', () => {
    expect(decodeAuthorityInfoAccess(encodeAuthorityInfoAccess({ ocsp: [], caIssuers: ['http://c.test/ca.crt'] }))).toEqual({ ocsp: [], caIssuers: ['http://c.test/ca.crt'] });
  });

  it.each([
    ['fail/empty', { ocsp: [], caIssuers: [] }],
    ['fail/bad URL', { ocsp: ['gopher://o.test'], caIssuers: [] }],
  ])('%s', (_n, aia) => expect(() => encodeAuthorityInfoAccess(aia)).toThrow(malformed));

  it('fail/decoding garbage', () => expect(() => decodeAuthorityInfoAccess(Buffer.from('3000', 'hex'))).toThrow(malformed));
});

it('ocsp-nocheck is NULL', () => expect(encodeOcspNoCheck().toString('hex')).toBe('0500'));
