import { AddressPolicy, parseAddressRange } from './address-policy';

const strict = new AddressPolicy({ allowPrivate: false, allowed: [] });

describe('AddressPolicy', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /RFC 1918/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.1', /RFC 1918/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /shared/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.1', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped/],
    ['::ffff:8.8.8.8', /IPv4-mapped/],
    ['64:ff9b::a00:1', /translation/],
    ['2001:db8::1', /documentation/],
    ['2002:7f00:1::1', /6to4/],
    ['100::1', /discard/],
    ['::127.0.0.1', /outside global unicast/],
    ['4000::1', /outside global unicast/],
  ])('fail/%s is refused (%s)', (address, why) => {
    expect(strict.problem(address)).toMatch(why);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1'])('ok/%s is globally reachable', (address) => {
    expect(strict.problem(address)).toBeUndefined();
  });

  it('fail/not an address at all', () => {
    expect(strict.problem('example.com')).toBe('not an IP address');
  });

  it('ok/allowPrivate opens everything but unspecified and multicast', () => {
    const open = new AddressPolicy({ allowPrivate: true, allowed: [] });
    for (const a of ['127.0.0.1', '10.0.0.1', '::1', 'fd00::1', '169.254.169.254']) expect(open.problem(a)).toBeUndefined();
    for (const a of ['0.0.0.0', '::', '224.0.0.1', 'ff02::1']) expect(open.problem(a)).toBeDefined();
  });

  it('ok/allowed ranges open exactly those blocks', () => {
    const p = new AddressPolicy({ allowPrivate: false, allowed: [parseAddressRange('10.1.0.0/16')!, parseAddressRange('fd00::1')!] });
    expect(p.problem('10.1.200.3')).toBeUndefined();
    expect(p.problem('10.2.0.1')).toMatch(/RFC 1918/);
    expect(p.problem('fd00::1')).toBeUndefined();
    expect(p.problem('fd00::2')).toMatch(/unique local/);
    expect(p.problem('127.0.0.1')).toMatch(/loopback/);
  });

  it.each(['10.0.0.0/8', '127.0.0.1', '::1/128', 'fd00::/8'])('ok/parseAddressRange %s', (text) => {
    expect(parseAddressRange(text)).toBeDefined();
  });

  it.each(['10.0.0.0/33', '::/129', 'example.com/8', '10.0.0.0/', '', '10.0.0.0/8/8'])('fail/parseAddressRange %s', (text) => {
    expect(parseAddressRange(text)).toBeUndefined();
  });
});
