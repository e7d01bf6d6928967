const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why a dNSName is not a valid host name, or undefined when it is. The
 * preferred name syntax of RFC 1034 3.5 as RFC 5280 4.2.1.6 requires it
 * (letters, digits, hyphen; labels of 1–63 characters, not starting or
 * ending with a hyphen; at most 253 characters), plus one wildcard label
 * "*" that must be the whole left-most label ("*.example.com", never
 * "f*o.example.com" or "www.*.example.com"). Internationalised names must
 * already be A-labels ("xn--...").
 */
export function dnsNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return 'is longer than 253 characters';
  if (name.endsWith('.')) return 'ends with a dot';
  const labels = name.split('.');
  const start = labels[0] === '*' ? 1 : 0;
  if (start === 1 && labels.length < 2) return 'is a bare wildcard';
  for (let i = start; i < labels.length; i++) {
    const l = labels[i];
    if (l.length === 0) return 'has an empty label';
    if (l.length > 63) return `has a label longer than 63 characters`;
    if (l.includes('*')) return 'has a wildcard that is not the whole left-most label';
    if (!LABEL.test(l)) return `has an invalid label "${l}"`;
  }
  return undefined;
}

export function isValidDnsName(name: string): boolean {
  return dnsNameProblem(name) === undefined;
}
