/**
 * DNS names as they may appear in a dNSName SAN (RFC 5280 4.2.1.6 refers to
 * the "preferred name syntax" of RFC 1034 3.5, relaxed by RFC 1123 2.1 to
 * allow a leading digit). Certificates carry IA5String, so internationalised
 * names must arrive as A-labels (`xn--...`); we never convert them, because
 * the name the requester proved control of is the A-label itself.
 */

export type DnsNameCheck =
  | { ok: true; /** Lower-cased form that goes into the certificate. */ name: string; wildcard: boolean }
  | { ok: false; reason: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface DnsNameOptions {
  /** Accept a `*` as the whole leftmost label. Templates decide; the syntax is checked here. */
  wildcard?: boolean;
  /** Minimum number of labels (not counting a wildcard). Config domains may be a bare TLD such as `test`. */
  minLabels?: number;
}

export function parseDnsName(input: string, opts: DnsNameOptions = {}): DnsNameCheck {
  const minLabels = opts.minLabels ?? 2;
  if (input.length === 0 || input.length > 253) return { ok: false, reason: 'must be 1 to 253 characters long' };
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(input)) return { ok: false, reason: 'contains non-ASCII characters (use the xn-- form)' };
  // A trailing dot names the same host but compares differently; one spelling only.
  if (input.endsWith('.')) return { ok: false, reason: 'must not end with a dot' };
  const labels = input.toLowerCase().split('.');
  let wildcard = false;
  if (labels[0] === '*') {
    if (!opts.wildcard) return { ok: false, reason: 'is a wildcard name' };
    wildcard = true;
    labels.shift();
  }
  if (labels.length < minLabels) {
    return { ok: false, reason: minLabels === 1 ? 'is empty' : `must have at least ${minLabels} labels${wildcard ? ' after the wildcard' : ''}` };
  }
  for (const label of labels) {
    if (label.includes('*')) return { ok: false, reason: 'may hold a wildcard only as the whole leftmost label' };
    if (!LABEL.test(label)) return { ok: false, reason: `has an invalid label "${label}" (letters, digits and inner hyphens, at most 63)` };
  }
  // An all-numeric last label makes "10.0.0.1" look like a host name; IP addresses belong in an iPAddress SAN.
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return { ok: false, reason: 'has an all-numeric top-level label (IP addresses go in an IP SAN)' };
  const name = labels.join('.');
  return { ok: true, name: wildcard ? `*.${name}` : name, wildcard };
}

/** True when `name` is `domain` itself or a name below it (label-wise, so `badexample.com` is not under `example.com`). */
export function isAtOrUnder(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/**
 * Whether a parsed name is permitted by a list of domains and exact names.
 * A wildcard `*.a.example.com` stands for every name directly below
 * `a.example.com`, so it is permitted when that base is at or under an
 * allowed domain, or when the wildcard itself is listed as an exact name.
 */
export function dnsNamePermitted(name: string, wildcard: boolean, domains: readonly string[], names: readonly string[]): boolean {
  if (names.includes(name)) return true;
  const base = wildcard ? name.slice(2) : name;
  return domains.some((d) => isAtOrUnder(base, d));
}
