import { BlockList, isIP } from 'node:net';
import { usage } from '../errors';

/** A name for the certificate as `signet cert` sends it: an IP address or a DNS name. */
export interface CertName {
  type: 'dns' | 'ip';
  value: string;
}

/** The template `signet cert` asks for when every name is local, and otherwise. */
export const LOCAL_TEMPLATE = 'Development';
export const DEFAULT_TEMPLATE = 'WebServer';

/** Key types `signet cert` makes (those Signet's CSR builder signs with). */
export const KEY_TYPES = {
  'ecdsa-p256': { type: 'ec', namedCurve: 'P-256', label: 'ECDSA P-256' },
  'ecdsa-p384': { type: 'ec', namedCurve: 'P-384', label: 'ECDSA P-384' },
  'rsa-2048': { type: 'rsa', modulusLength: 2048, label: 'RSA 2048' },
  'rsa-3072': { type: 'rsa', modulusLength: 3072, label: 'RSA 3072' },
} as const;
export type KeyType = keyof typeof KEY_TYPES;

// Two lists: one list with both would count ::ffff:127.0.0.1 as loopback, which templates refuse (IPv4-mapped).
const LOOPBACK_V4 = new BlockList();
LOOPBACK_V4.addSubnet('127.0.0.0', 8, 'ipv4');
const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');

/**
 * The command line's names in order, each an IP address or a DNS name, with
 * duplicates (ignoring case) left out. `dnsProblem` says why a DNS name is
 * not one (the x509 library's check), so a typo is refused here instead of
 * becoming a denied request at the CA.
 */
export function parseNames(args: readonly string[], dnsProblem: (name: string) => string | undefined): CertName[] {
  const out: CertName[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    const name: CertName = isIP(arg) ? { type: 'ip', value: arg } : { type: 'dns', value: arg };
    if (name.type === 'ip' && arg.includes('%')) throw usage(`"${arg}": an address with a zone (%...) cannot be in a certificate`);
    if (name.type === 'dns') {
      const problem = dnsProblem(arg);
      if (problem) throw usage(`"${arg}" is neither an IP address nor a DNS name: it ${problem}`);
    }
    const key = `${name.type}:${arg.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

/** localhost, a name below it (RFC 6761 6.3), or a loopback address. */
export function isLocal(name: CertName): boolean {
  if (name.type === 'ip') return isIP(name.value) === 4 ? LOOPBACK_V4.check(name.value, 'ipv4') : LOOPBACK_V6.check(name.value, 'ipv6');
  const n = name.value.toLowerCase();
  return n === 'localhost' || n.endsWith('.localhost');
}

/** Development when every name is local (the one certificate a developer's machine needs), else WebServer. */
export function defaultTemplate(names: readonly CertName[]): string {
  return names.length > 0 && names.every(isLocal) ? LOCAL_TEMPLATE : DEFAULT_TEMPLATE;
}

/**
 * The file name stem for `<stem>.key` and `<stem>.crt`: the first name,
 * lower-cased, with anything but letters, digits, dot, hyphen and
 * underscore as "_" (`*.example.com` → `_.example.com`, `::1` → `__1`).
 */
export function fileStem(names: readonly CertName[]): string {
  return names[0].value.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
}

/** CN = the first DNS name when it fits a CN (64 characters); else an empty subject (the SAN then carries the names). */
export function subjectFor(names: readonly CertName[]): { type: string; value: string }[] {
  const dns = names.find((n) => n.type === 'dns');
  return dns && dns.value.length <= 64 ? [{ type: 'CN', value: dns.value }] : [];
}
