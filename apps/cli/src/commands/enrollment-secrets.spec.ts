import { run } from '../cli';
import { memoryIo } from '../testing/memory-io';
import { provenName, subjectRdns, ttlSeconds } from './enrollment-secrets';

describe('ttlSeconds', () => {
  it.each([
    ['ok/days', '7d', 604_800],
    ['ok/hours', '12h', 43_200],
    ['ok/minutes', '1m', 60],
    ['ok/plain seconds', '3600', 3600],
    ['ok/the maximum', '90d', 7_776_000],
  ])('%s', (_n, raw, s) => expect(ttlSeconds(raw)).toBe(s));
  it.each(['91d', '59s', '0', '7w', '-1d', '1.5d', ''])('fail/%p', (raw) => expect(() => ttlSeconds(raw)).toThrow(expect.objectContaining({ exitCode: 2 })));
});

describe('provenName', () => {
  it.each([
    ['ok/a bare DNS name', 'www.example.com', { type: 'dns', value: 'www.example.com' }],
    ['ok/an IPv4 address', '192.0.2.1', { type: 'ip', value: '192.0.2.1' }],
    ['ok/an IPv6 address is not a type prefix', '2001:db8::1', { type: 'ip', value: '2001:db8::1' }],
    ['ok/an email', 'alice@example.com', { type: 'email', value: 'alice@example.com' }],
    ['ok/typed upn', 'upn:alice@corp.example', { type: 'upn', value: 'alice@corp.example' }],
    ['ok/typed uri keeps its colons', 'uri:https://example.com/x', { type: 'uri', value: 'https://example.com/x' }],
    ['ok/typed dns', 'DNS:a.example.com', { type: 'dns', value: 'a.example.com' }],
  ])('%s', (_n, raw, name) => expect(provenName(raw)).toEqual(name));
  it('fail/a type without a value', () => expect(() => provenName('dns:')).toThrow(expect.objectContaining({ exitCode: 2 })));
});

describe('subjectRdns', () => {
  it('ok/in the order written', () => expect(subjectRdns('CN=Alice, O=Example')).toEqual([{ type: 'CN', value: 'Alice' }, { type: 'O', value: 'Example' }]));
  it.each(['Alice', 'CN=', '=x'])('fail/%p', (raw) => expect(() => subjectRdns(raw)).toThrow(expect.objectContaining({ exitCode: 2 })));
});

describe('usage errors exit 2 before any HTTP call', () => {
  const noFetch = (() => {
    throw new Error('no HTTP expected');
  }) as unknown as typeof fetch;
  it.each([
    ['create without a name', ['enrollment-secret', 'create', '--template', 'WebServer']],
    ['create without a template', ['enrollment-secret', 'create', '--name', 'a.example.com']],
    ['create with a lifetime beyond 90 days', ['enrollment-secret', 'create', '--name', 'a.example.com', '--template', 'W', '--ttl', '100d']],
    ['list with an unknown state', ['enrollment-secret', 'list', '--state', 'lost']],
    ['revoke without an id', ['enrollment-secret', 'revoke']],
    ['revoke with the whole credential instead of the id', ['enrollment-secret', 'revoke', `es-0123456789abcdef:${'a'.repeat(64)}`]],
  ])('%s', async (_n, argv) => {
    const { sink: io, err } = memoryIo({}, { HOME: '/nonexistent', SIGNET_TOKEN: 't' });
    expect(await run(argv, io, noFetch)).toBe(2);
    expect(err.join('')).toMatch(/^signet: /);
    expect(err.join('')).not.toContain('config file');
    // Never echoes a secret it was given by mistake.
    expect(err.join('')).not.toContain('a'.repeat(64));
  });
});
