import type { ValidationInput } from './challenge-validator';
import { checkInput, reverseName } from './names';
import { ValidationFailure } from './outcome';

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
const KA = `${TOKEN}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI`;
const input = (identifier: ValidationInput['identifier'], more: Partial<ValidationInput> = {}): ValidationInput => ({
  type: 'http-01',
  identifier,
  token: TOKEN,
  keyAuthorization: KA,
  ...more,
});

function failure(i: ValidationInput): ValidationFailure {
  try {
    checkInput(i);
  } catch (e) {
    return e as ValidationFailure;
  }
  throw new Error('checkInput accepted it');
}

describe('checkInput', () => {
  it('ok/a dns name, lower-cased', () => {
    expect(checkInput(input({ type: 'dns', value: 'WWW.Example.COM' }))).toEqual({ type: 'dns', value: 'www.example.com', wildcard: false });
  });

  it('ok/a wildcard', () => {
    expect(checkInput(input({ type: 'dns', value: '*.example.com' }))).toEqual({ type: 'dns', value: '*.example.com', wildcard: true });
  });

  it('ok/ip addresses', () => {
    expect(checkInput(input({ type: 'ip', value: '192.0.2.1' })).type).toBe('ip');
    expect(checkInput(input({ type: 'ip', value: '2001:db8::1' })).type).toBe('ip');
  });

  it.each([
    [{ type: 'dns', value: 'a..example' }, /empty label/],
    [{ type: 'dns', value: 'a_b.example' }, /invalid label/],
    [{ type: 'dns', value: '10.0.0.1' }, /not be an IP/],
    [{ type: 'ip', value: 'example.com' }, /not an IP address/],
    [{ type: 'ip', value: 'fe80::1%eth0' }, /not an IP address/],
    [{ type: 'email', value: 'a@example.com' }, /dns or ip/],
  ] as const)('fail/identifier %j', (identifier, why) => {
    const f = failure(input(identifier as ValidationInput['identifier']));
    expect(f.type).toBe('malformed');
    expect(f.detail).toMatch(why);
  });

  it('fail/a token that would leave the path', () => {
    expect(failure(input({ type: 'dns', value: 'a.example' }, { token: '../../etc/passwd0000' })).detail).toMatch(/token/);
  });

  it('fail/a key authorization for another token', () => {
    expect(failure(input({ type: 'dns', value: 'a.example' }, { keyAuthorization: `x${KA}` })).detail).toMatch(/key authorization/);
  });
});

describe('reverseName (RFC 8738 6)', () => {
  it('ok/IPv4', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
  });

  it('ok/IPv6, 32 nibbles', () => {
    expect(reverseName('2001:db8::567:89ab')).toBe('b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });
});
