import { parseBasic } from './basic';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const CRED = `es-0123456789abcdef:${'ab'.repeat(32)}`;

describe('parseBasic', () => {
  it.each([
    ['ok/curl -u id:secret', `Basic ${b64(CRED)}`, { userId: 'es-0123456789abcdef', password: 'ab'.repeat(32) }],
    ['ok/the scheme in any case, extra spaces', `  bAsIc   ${b64(CRED)} `, { userId: 'es-0123456789abcdef', password: 'ab'.repeat(32) }],
    ['ok/a password may hold colons', `Basic ${b64('u:p:q')}`, { userId: 'u', password: 'p:q' }],
    ['ok/no header', undefined, undefined],
    ['ok/another scheme is another authenticator\'s', 'Bearer abc', undefined],
    ['ok/a scheme that merely starts with basic', 'Basically abc', undefined],
    ['fail/Basic without credentials', 'Basic', 'malformed'],
    ['fail/not base64', 'Basic %%%', 'malformed'],
    ['fail/base64 without a colon', `Basic ${b64('nocolon')}`, 'malformed'],
    ['fail/an empty user-id', `Basic ${b64(':secret')}`, 'malformed'],
    ['fail/an empty password', `Basic ${b64('id:')}`, 'malformed'],
    ['fail/too long', `Basic ${b64(`id:${'x'.repeat(2000)}`)}`, 'malformed'],
  ])('%s', (_n, header, expected) => expect(parseBasic(header)).toEqual(expected));
});
