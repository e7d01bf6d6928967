import { clip, csv, keyValues, table } from './output';

describe('output', () => {
  it('ok/table aligns columns under a rule', () => {
    expect(table(['ID', 'Subject'], [[1, 'CN=a'], [12, null]])).toBe('ID  Subject\n--  -------\n1   CN=a\n12\n');
  });
  it('ok/clip shortens long cells and flattens line breaks', () => {
    expect(clip('a\nb')).toBe('a b');
    expect(clip('x'.repeat(60), 10)).toBe(`${'x'.repeat(9)}…`);
  });
  it('ok/keyValues leaves out empty values', () => {
    expect(keyValues([['Request ID', 5], ['Serial', undefined], ['Message', 'ok']])).toBe('Request ID: 5\nMessage:    ok\n');
  });
  it('ok/csv quotes and neutralises formulas', () => {
    expect(csv(['a', 'b'], [['x,y', '=1+1']])).toBe('a,b\r\n"x,y",\'=1+1\r\n');
  });
});
