import { BlockList, isIP, isIPv4 } from 'node:net';

/*
 * Which addresses the validator may connect to (ADR 0036). A challenge makes
 * the CA open a connection to an address the requester chose, so without a
 * check any ACME account could probe the CA's own network (loopback, the
 * cloud metadata address, RFC 1918 ranges). Every resolved address, every
 * redirect target and every IP identifier goes through `addressProblem`
 * before a socket is opened.
 *
 * Ranges: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC
 * 6890 and its updates) for everything not globally reachable, plus
 * multicast and the reserved class E. For IPv6 only global unicast
 * (2000::/3) is allowed at all, minus its special-purpose parts.
 */

interface Range {
  net: string;
  prefix: number;
  why: string;
}

const V4: Range[] = [
  { net: '0.0.0.0', prefix: 8, why: 'unspecified ("this network", RFC 791)' },
  { net: '10.0.0.0', prefix: 8, why: 'private (RFC 1918)' },
  { net: '100.64.0.0', prefix: 10, why: 'shared address space (RFC 6598)' },
  { net: '127.0.0.0', prefix: 8, why: 'loopback (RFC 1122)' },
  { net: '169.254.0.0', prefix: 16, why: 'link-local (RFC 3927)' },
  { net: '172.16.0.0', prefix: 12, why: 'private (RFC 1918)' },
  { net: '192.0.0.0', prefix: 24, why: 'IETF protocol assignments (RFC 6890)' },
  { net: '192.0.2.0', prefix: 24, why: 'documentation (RFC 5737)' },
  { net: '192.88.99.0', prefix: 24, why: '6to4 relay anycast (RFC 7526)' },
  { net: '192.168.0.0', prefix: 16, why: 'private (RFC 1918)' },
  { net: '198.18.0.0', prefix: 15, why: 'benchmarking (RFC 2544)' },
  { net: '198.51.100.0', prefix: 24, why: 'documentation (RFC 5737)' },
  { net: '203.0.113.0', prefix: 24, why: 'documentation (RFC 5737)' },
  { net: '224.0.0.0', prefix: 4, why: 'multicast (RFC 5771)' },
  { net: '240.0.0.0', prefix: 4, why: 'reserved (RFC 1112; includes broadcast)' },
];

const V6: Range[] = [
  { net: '::', prefix: 128, why: 'unspecified (RFC 4291)' },
  { net: '::1', prefix: 128, why: 'loopback (RFC 4291)' },
  { net: '::ffff:0:0', prefix: 96, why: 'IPv4-mapped (RFC 4291)' },
  { net: '64:ff9b::', prefix: 96, why: 'IPv4/IPv6 translation (RFC 6052)' },
  { net: '64:ff9b:1::', prefix: 48, why: 'local IPv4/IPv6 translation (RFC 8215)' },
  { net: '100::', prefix: 64, why: 'discard-only (RFC 6666)' },
  { net: '2001::', prefix: 23, why: 'IETF protocol assignments (RFC 2928)' },
  { net: '2001:db8::', prefix: 32, why: 'documentation (RFC 3849)' },
  { net: '2002::', prefix: 16, why: '6to4 (RFC 3056)' },
  { net: '3fff::', prefix: 20, why: 'documentation (RFC 9637)' },
  { net: 'fc00::', prefix: 7, why: 'unique local (RFC 4193)' },
  { net: 'fe80::', prefix: 10, why: 'link-local (RFC 4291)' },
  { net: 'ff00::', prefix: 8, why: 'multicast (RFC 4291)' },
];

/** Never a sensible place to connect to, whatever the operator allows. */
const NEVER = new Set(['unspecified ("this network", RFC 791)', 'unspecified (RFC 4291)', 'multicast (RFC 5771)', 'multicast (RFC 4291)']);

function blockList(ranges: Range[], type: 'ipv4' | 'ipv6'): Array<{ list: BlockList; why: string }> {
  return ranges.map((r) => {
    const list = new BlockList();
    list.addSubnet(r.net, r.prefix, type);
    return { list, why: r.why };
  });
}

const V4_LISTS = blockList(V4, 'ipv4');
const V6_LISTS = blockList(V6, 'ipv6');
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/** A CIDR block (`10.1.0.0/16`, `fd00::/8`, a bare address) the operator lets the validator reach although it is special-purpose. */
export interface AddressRange {
  address: string;
  prefix: number;
}

/** Parses `addr[/prefix]`; undefined when it is not one. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return undefined;
  const family = isIP(m[1]);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return undefined;
  return { address: m[1], prefix };
}

/** What the validator may reach: by default only globally reachable unicast. */
export interface AddressPolicyOptions {
  /** Allow every special-purpose range except unspecified and multicast (tests, labs). */
  allowPrivate: boolean;
  /** Ranges allowed although special-purpose (an internal CA's own network). */
  allowed: readonly AddressRange[];
}

export class AddressPolicy {
  private readonly allowedList = new BlockList();

  constructor(private readonly opts: AddressPolicyOptions) {
    for (const r of opts.allowed) this.allowedList.addSubnet(r.address, r.prefix, isIPv4(r.address) ? 'ipv4' : 'ipv6');
  }

  /** Why the validator must not connect to `address` (an IP literal), or undefined when it may. */
  problem(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return 'not an IP address';
    const type = family === 4 ? 'ipv4' : 'ipv6';
    let why: string | undefined;
    if (family === 4) why = V4_LISTS.find((l) => l.list.check(address, 'ipv4'))?.why;
    else {
      why = V6_LISTS.find((l) => l.list.check(address, 'ipv6'))?.why;
      if (!why && !GLOBAL_UNICAST.check(address, 'ipv6')) why = 'reserved (outside global unicast 2000::/3, RFC 4291)';
    }
    if (!why) return undefined;
    if (NEVER.has(why)) return why;
    if (this.opts.allowPrivate || this.allowedList.check(address, type)) return undefined;
    return why;
  }
}
