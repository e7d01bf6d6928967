import { ErrorCode } from '@signet/contracts';
import { decodeCertificateText, fromPem, pemBlocks, toPem } from './pem';
import { must } from './test-tools';

describe('PEM', () => {
  const der = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('writes 64-character lines and a trailing newline', () => {
    const pem = toPem(der, 'CERTIFICATE');
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    // 100 bytes are 136 base64 characters: 64 + 64 + 8.
    expect(lines.slice(1, 4).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(lines[4]).toBe('-----END CERTIFICATE-----');
    expect(pem.endsWith('-----\n')).toBe(true);
    expect(fromPem(pem, 'CERTIFICATE')).toEqual(der);
  });

  it('is read by OpenSSL', () => {
    const asn1 = Buffer.from('3006020101020102', 'hex');
    expect(must('openssl', ['asn1parse'], toPem(asn1, 'CERTIFICATE'))).toContain('INTEGER');
  });

  it('finds every block of a chain file, skipping other labels', () => {
    const a = Buffer.from('a1');
    const b = Buffer.from('b2');
    const text = `junk\n${toPem(a, 'CERTIFICATE')}${toPem(Buffer.from('k'), 'PRIVATE KEY')}\n${toPem(b, 'CERTIFICATE')}`;
    expect(pemBlocks(text, 'CERTIFICATE')).toEqual([a, b]);
    expect(pemBlocks(text, 'X509 CRL')).toEqual([]);
    expect(fromPem(text)).toEqual(a);
    expect(fromPem(text, 'PRIVATE KEY')).toEqual(Buffer.from('k'));
  });

  it.each([
    ['fail/no block', () => fromPem('nothing here')],
    ['fail/label absent', () => fromPem(toPem(der, 'CERTIFICATE'), 'X509 CRL')],
    ['fail/mismatched END', () => fromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n')],
    ['fail/bad base64', () => fromPem('-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----\n')],
  ])('%s', (_n, fn) => expect(fn).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest })));

  describe('one certificate given to the CA (decodeCertificateText)', () => {
    it('ok/one CERTIFICATE block, with text around it, or bare base64', () => {
      expect(decodeCertificateText(`subject=CN=x\n${toPem(der, 'CERTIFICATE')}`)).toEqual(der);
      expect(decodeCertificateText(der.toString('base64'))).toEqual(der);
    });
    it.each([
      ['fail/empty', '', /certificate is empty/],
      ['fail/two blocks (a chain)', toPem(der, 'CERTIFICATE') + toPem(der, 'CERTIFICATE'), /exactly one PEM block, found 2/],
      ['fail/another label', toPem(der, 'CERTIFICATE REQUEST'), /"CERTIFICATE REQUEST" is not a certificate/],
      ['fail/bad base64', '-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----\n', /certificate: invalid base64/],
      ['fail/not base64 at all', 'hello, world', /certificate: invalid base64/],
    ])('%s', (_n, text, message) => expect(() => decodeCertificateText(text)).toThrow(expect.objectContaining({ code: ErrorCode.MalformedCertificate, message: expect.stringMatching(message) })));
    it('fail/too large is TOO_LARGE', () => {
      expect(() => decodeCertificateText('A'.repeat(24_580))).toThrow(expect.objectContaining({ code: ErrorCode.TooLarge }));
    });
  });
});
