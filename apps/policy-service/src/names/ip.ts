import { ipFromBytes, ipToBytes } from '@signet/x509';
import { BlockList, isIP } from 'node:net';

/**
 * IP addresses for iPAddress SANs and the CIDR ranges templates allow.
 * Addresses are compared in canonical form (the same text the x509 library
 * writes back), so `2001:DB8::0:1` and `2001:db8::1` are one address.
 */
export type IpCheck = { ok: true; value: string; family: 'ipv4' | 'ipv6' } | { ok: false; reason: string };

export function parseIp(input: string): IpCheck {
  const version = isIP(input);
  if (version === 0) return { ok: false, reason: 'is not an IPv4 or IPv6 address' };
  const bytes = ipToBytes(input);
  // ::ffff:a.b.c.d is an IPv4 address in disguise; range checks on the IPv6
  // form would let it bypass an IPv4 allow-list, so ask for the plain form.
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { ok: false, reason: 'is an IPv4-mapped IPv6 address (use the IPv4 form)' };
  }
  return { ok: true, value: ipFromBytes(bytes), family: version === 4 ? 'ipv4' : 'ipv6' };
}

export type CidrCheck = { ok: true; address: string; prefix: number; family: 'ipv4' | 'ipv6' } | { ok: false; reason: string };

export function parseCidr(input: string): CidrCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(input);
  if (!m) return { ok: false, reason: 'must be address/prefix, e.g. 192.0.2.0/24' };
  const ip = parseIp(m[1]);
  if (!ip.ok) return { ok: false, reason: `address ${ip.reason}` };
  const prefix = Number(m[2]);
  const max = ip.family === 'ipv4' ? 32 : 128;
  if (prefix > max) return { ok: false, reason: `prefix must be ≤ ${max}` };
  return { ok: true, address: ip.value, prefix, family: ip.family };
}

/** Whether an address (canonical, from parseIp) is inside one of the ranges (valid CIDRs, checked at config load). */
export function ipInRanges(ip: { value: string; family: 'ipv4' | 'ipv6' }, ranges: readonly string[]): boolean {
  const list = new BlockList();
  for (const r of ranges) {
    const c = parseCidr(r);
    if (c.ok) list.addSubnet(c.address, c.prefix, c.family);
  }
  return list.check(ip.value, ip.family);
}
