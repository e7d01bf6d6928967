import { csvCell, csvHeader, csvRow } from './csv';

describe('csv', () => {
  it.each([
    ['ok/plain', 'abc', 'abc'],
    ['ok/null is empty', null, ''],
    ['ok/number', 42, '42'],
    ['ok/comma quoted', 'CN=a,O=b', '"CN=a,O=b"'],
    ['ok/quote doubled', 'say "hi"', '"say ""hi"""'],
    ['ok/newline quoted', 'a\nb', '"a\nb"'],
    ['ok/formula neutralized', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['ok/plus neutralized', '+1', "'+1"],
    ['ok/at neutralized', '@SUM(A1)', "'@SUM(A1)"],
  ])('%s', (_n, v, out) => expect(csvCell(v)).toBe(out));

  it('ok/header and row line up, CRLF terminated', () => {
    const row = {
      RequestID: 7,
      Disposition: 'revoked' as const,
      RequesterName: 'anonymous',
      CertificateTemplate: null,
      Subject: 'CN=x, O=y',
      SerialNumber: '0a0b',
      NotBefore: null,
      NotAfter: null,
      SubmittedWhen: '2026-01-01T00:00:00.000Z',
      ResolvedWhen: null,
      RevokedWhen: null,
      RevokedReason: 1,
      DispositionMessage: 'done',
      RequestType: 'imported' as const,
    };
    expect(csvHeader().split(',')).toHaveLength(14);
    expect(csvRow(row)).toBe('7,revoked,anonymous,,"CN=x, O=y",0a0b,,,2026-01-01T00:00:00.000Z,,,1,done,imported\r\n');
  });
});
