import { bearerToken, tokenSha256 } from './bearer';

describe('bearerToken', () => {
  it.each([
    ['ok/plain', 'Bearer abc.DEF_123-~+/', 'abc.DEF_123-~+/'],
    ['ok/scheme in any case', 'bearer tok', 'tok'],
    ['ok/padding', 'Bearer dG9rZW4=', 'dG9rZW4='],
  ])('%s', (_n, header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ['fail/missing', undefined, 'missing_token'],
    ['fail/empty', '', 'missing_token'],
    ['fail/basic', 'Basic dXNlcjpwYXNz', 'invalid_token'],
    ['fail/no token', 'Bearer', 'invalid_token'],
    ['fail/two tokens', 'Bearer a b', 'invalid_token'],
    ['fail/quote', 'Bearer "a"', 'invalid_token'],
    ['fail/too long', `Bearer ${'a'.repeat(513)}`, 'invalid_token'],
    ['fail/repeated header', ['Bearer a', 'Bearer b'], 'invalid_token'],
  ])('%s → 401 %s', (_n, header, reason) => {
    expect(() => bearerToken(header as string)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', details: { reason } }));
  });
});

describe('tokenSha256', () => {
  it('ok/hex SHA-256 of the UTF-8 token (what ca-core stores)', () => {
    expect(tokenSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
