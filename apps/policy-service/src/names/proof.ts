import { type ProvenName, type San } from '@signet/contracts';
import { parseDnsName } from './dns';
import { parseIp } from './ip';
import { parseEmail, parseUpn } from './mailbox';

/**
 * Whether a name an identity proved covers a name a request asks for
 * (ADR 0030). Both sides are compared in the form the certificate would
 * carry, so spelling differences the SAN rules normalise never matter:
 * - dns: equal without case; a proven `*.example.com` covers exactly one
 *   label below example.com (`www.example.com`, not `example.com`, not
 *   `a.b.example.com`), as a TLS client matches it (RFC 6125 6.4.3); a
 *   requested wildcard is covered only by the same proven wildcard, and a
 *   proven `example.com` covers no name below it;
 * - ip: the same address (canonical form, so `2001:DB8::0:1` = `2001:db8::1`);
 * - email: the same local part (case kept: RFC 5321 2.4 lets a mailbox
 *   tell case apart) at the same domain (without case);
 * - upn: equal without case (directories compare UPNs so);
 * - uri: equal as written.
 * A proven name that does not parse covers nothing.
 */
export function covers(proven: ProvenName, asked: San): boolean {
  if (proven.type !== asked.type) return false;
  switch (asked.type) {
    case 'dns': {
      const p = parseDnsName(proven.value, { wildcard: true, minLabels: 1 });
      const a = parseDnsName(asked.value, { wildcard: true, minLabels: 1 });
      if (!p.ok || !a.ok) return false;
      if (p.name === a.name) return true;
      if (!p.wildcard || a.wildcard) return false;
      const base = p.name.slice(2);
      const dot = a.name.indexOf('.');
      return dot > 0 && a.name.slice(dot + 1) === base;
    }
    case 'ip': {
      const p = parseIp(proven.value);
      const a = parseIp(asked.value);
      return p.ok && a.ok && p.value === a.value;
    }
    case 'email': {
      const p = parseEmail(proven.value);
      const a = parseEmail(asked.value);
      return p.ok && a.ok && p.value === a.value;
    }
    case 'upn': {
      const p = parseUpn(proven.value);
      const a = parseUpn(asked.value);
      return p.ok && a.ok && p.value.toLowerCase() === a.value.toLowerCase();
    }
    case 'uri':
      return proven.value === asked.value;
  }
}

/** True when any of the proven names covers the asked one. */
export function isProven(proven: readonly ProvenName[], asked: San): boolean {
  return proven.some((p) => covers(p, asked));
}

/**
 * The name a subject value stands for, when it is one: an IP address, a
 * mailbox, or a DNS name of at least two labels. A single word (`Alice`,
 * `Release Build`) names a person or a thing, not a host, and is not a name
 * anyone proves.
 */
export function nameInSubjectValue(value: string): San | undefined {
  if (parseIp(value).ok) return { type: 'ip', value };
  if (value.includes('@')) return parseEmail(value).ok ? { type: 'email', value } : undefined;
  return parseDnsName(value, { wildcard: true, minLabels: 2 }).ok ? { type: 'dns', value } : undefined;
}
