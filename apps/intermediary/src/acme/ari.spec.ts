import { certIdOf, parseCertId, suggestedWindow } from './ari';
import { AcmeProblem } from './problem';

describe('ARI certificate identifiers (RFC 9773 4.1)', () => {
  it('ok/the RFC example parses', () => {
    // RFC 9773 4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 00:87:65:43:21.
    expect(parseCertId('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE')).toEqual({ keyIdHex: '69885b6b87464041e1b37b847ba0ae2cde01c8d4', serialHex: '87654321' });
  });

  it('ok/certIdOf writes the same identifier back (with the sign byte)', () => {
    const ext = { oid: '2.5.29.35', critical: false, value: Buffer.from('301680146988' + '5b6b87464041e1b37b847ba0ae2cde01c8d4', 'hex') };
    expect(certIdOf({ extensions: [ext], serialHex: '87654321' })).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    expect(certIdOf({ extensions: [], serialHex: '01' })).toBeUndefined();
  });

  it.each([['no dot'], ['a.b.c'], ['.AQ'], ['aa.'], ['aa.gA'], ['aa==.AQ'], ['a+b.AQ']])('fail/%s', (text) => {
    expect(() => parseCertId(text)).toThrow(AcmeProblem);
  });
});

describe('suggestedWindow', () => {
  it('ok/from two thirds to five sixths of the validity', () => {
    expect(suggestedWindow(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-07T00:00:00Z'))).toEqual({ start: '2026-01-05T00:00:00.000Z', end: '2026-01-06T00:00:00.000Z' });
  });
});
