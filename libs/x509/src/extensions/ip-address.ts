import { isIPv4, isIPv6 } from 'node:net';
import { malformed } from '../der';

/**
 * Octets of an IP address for a GeneralName iPAddress, RFC 5280 4.2.1.6:
 * "four octets for IPv4, sixteen octets for IPv6, in network byte order".
 * Zone ids (fe80::1%eth0) have no place in a certificate and are refused.
 */
export function ipToBytes(text: string): Buffer {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) throw malformed(`"${text}" is not an IPv4 or IPv6 address`);
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    // Embedded IPv4 (::ffff:192.0.2.1) fills the last two groups.
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parseGroups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  const gap = head.indexOf('::');
  if (gap >= 0) {
    const left = parseGroups(head.slice(0, gap));
    const right = [...parseGroups(head.slice(gap + 2)), ...tail];
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    groups = [...parseGroups(head), ...tail];
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Text form of iPAddress octets; IPv6 in the RFC 5952 canonical form. */
export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw malformed(`iPAddress must be 4 or 16 octets, got ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // Longest run of two or more zero groups becomes "::" (first one on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
