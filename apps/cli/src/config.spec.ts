import { resolveConfig } from './config';

const files = (map: Record<string, string>) => (p: string) => {
  if (p in map) return map[p];
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const HOME = { HOME: '/home/u' };
const DEFAULT_FILE = '/home/u/.config/signet/config.json';

describe('resolveConfig', () => {
  it('ok/defaults without a config file', () => {
    expect(resolveConfig({}, HOME, files({}))).toEqual({ url: 'http://127.0.0.1:8080', adminUrl: 'http://127.0.0.1:8081', timeoutMs: 30_000, warnings: [] });
  });

  it('ok/flags > env > file > defaults', () => {
    const file = JSON.stringify({ url: 'http://file:1', adminUrl: 'http://file:2', token: 'file-token', ca: 'file-ca', timeoutMs: 5000 });
    const read = files({ [DEFAULT_FILE]: file });
    expect(resolveConfig({}, HOME, read)).toMatchObject({ url: 'http://file:1', adminUrl: 'http://file:2', token: 'file-token', ca: 'file-ca', timeoutMs: 5000, file: DEFAULT_FILE });
    const env = { ...HOME, SIGNET_URL: 'http://env:1', SIGNET_ADMIN_URL: 'http://env:2/', SIGNET_TOKEN: 'env-token', SIGNET_CA: 'env-ca', SIGNET_TIMEOUT_MS: '700' };
    expect(resolveConfig({}, env, read)).toMatchObject({ url: 'http://env:1', adminUrl: 'http://env:2', token: 'env-token', ca: 'env-ca', timeoutMs: 700 });
    expect(resolveConfig({ url: 'https://flag', 'admin-url': 'https://flag:9', token: 'flag-token', ca: 'flag-ca', timeout: '900' }, env, read)).toMatchObject({
      url: 'https://flag',
      adminUrl: 'https://flag:9',
      token: 'flag-token',
      ca: 'flag-ca',
      timeoutMs: 900,
    });
  });

  it('ok/XDG_CONFIG_HOME and --config choose the file', () => {
    expect(resolveConfig({}, { XDG_CONFIG_HOME: '/x' }, files({ '/x/signet/config.json': '{"ca":"xdg"}' })).ca).toBe('xdg');
    expect(resolveConfig({ config: '/etc/s.json' }, HOME, files({ '/etc/s.json': '{"ca":"explicit"}' })).ca).toBe('explicit');
    expect(resolveConfig({}, { ...HOME, SIGNET_CONFIG: '/etc/s.json' }, files({ '/etc/s.json': '{"ca":"env-file"}' })).ca).toBe('env-file');
  });

  it('ok/a token file, trimmed; SIGNET_TOKEN wins over it', () => {
    expect(resolveConfig({ 'token-file': '/t' }, HOME, files({ '/t': 'abc\n' })).token).toBe('abc');
    expect(resolveConfig({}, { ...HOME, SIGNET_TOKEN_FILE: '/t', SIGNET_TOKEN: 'env' }, files({ '/t': 'abc\n' })).token).toBe('env');
  });

  it.each([
    ['fail/explicit config missing', { config: '/nope.json' }, {}, 'cannot read config file /nope.json'],
    ['fail/config not JSON', {}, { [DEFAULT_FILE]: '{' }, 'not valid JSON'],
    ['fail/config unknown key', {}, { [DEFAULT_FILE]: '{"adminURL":"x"}' }, 'unknown key "adminURL"'],
    ['fail/config wrong type', {}, { [DEFAULT_FILE]: '{"timeoutMs":"5"}' }, '"timeoutMs" must be a number'],
    ['fail/url scheme', { url: 'ftp://x' }, {}, '--url: must be http'],
    ['fail/url garbage', { 'admin-url': 'not a url' }, {}, '--admin-url: not a URL'],
    ['fail/ca name', { ca: 'My CA' }, {}, '--ca'],
    ['fail/timeout', { timeout: '5' }, {}, '--timeout'],
    ['fail/token file missing', { 'token-file': '/none' }, {}, 'cannot read token file /none'],
  ])('%s → usage', (_n, flags, map, message) => {
    expect(() => resolveConfig(flags, HOME, files(map))).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(message) }));
  });
});
