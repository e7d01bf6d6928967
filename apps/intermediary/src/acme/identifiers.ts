import { isIP } from 'node:net';
import { isValidDnsName } from '@signet/x509';
import { type Name, type San } from '@signet/contracts';
import { AcmeProblem, problemDocument, type ProblemDocument } from './problem';
import { type Identifier } from './acme.store';
import { type ChallengeType } from './validation/challenge-validator';

/** An IP address in one spelling (IPv6 compressed, lower case), so a CSR's and an order's compare equal. */
export function canonicalIp(value: string): string | undefined {
  const family = isIP(value);
  if (family === 4) return value.split('.').map((o) => String(Number(o))).join('.');
  if (family === 6) return new URL(`http://[${value}]`).hostname.slice(1, -1);
  return undefined;
}

/**
 * newOrder's identifiers (RFC 8555 7.4, RFC 8738 for ip), checked and in
 * one spelling: DNS names in lower case without a trailing dot, at most one
 * leading `*.` label; no duplicates. Every problem is a subproblem naming
 * its identifier.
 */
export function parseIdentifiers(raw: unknown, max: number): Identifier[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new AcmeProblem('malformed', 'identifiers must be a non-empty array');
  if (raw.length > max) throw new AcmeProblem('rejectedIdentifier', `an order may hold at most ${max} identifiers`);
  const out: Identifier[] = [];
  const subproblems: ProblemDocument[] = [];
  for (const item of raw) {
    const t = (item as { type?: unknown })?.type;
    const v = (item as { value?: unknown })?.value;
    if (typeof t !== 'string' || typeof v !== 'string' || !v || v.length > 253 + 2) {
      throw new AcmeProblem('malformed', 'each identifier needs a string "type" and "value"');
    }
    const identifier = { type: t, value: v.slice(0, 64) };
    if (t === 'dns') {
      const name = v.toLowerCase().replace(/\.$/, '');
      const base = name.startsWith('*.') ? name.slice(2) : name;
      if (canonicalIp(base) || !isValidDnsName(base) || !base.includes('.')) {
        subproblems.push(problemDocument('rejectedIdentifier', 'not a fully qualified DNS name', { identifier }));
        continue;
      }
      out.push({ type: 'dns', value: name });
    } else if (t === 'ip') {
      const ip = canonicalIp(v);
      if (!ip) {
        subproblems.push(problemDocument('malformed', 'not an IP address', { identifier }));
        continue;
      }
      out.push({ type: 'ip', value: ip });
    } else {
      subproblems.push(problemDocument('unsupportedIdentifier', `identifier type ${JSON.stringify(t.slice(0, 16))} is not supported (dns, ip)`, { identifier }));
    }
  }
  if (subproblems.length) throw new AcmeProblem(subproblems.length === 1 ? (subproblems[0].type.split(':').pop() as 'rejectedIdentifier') : 'rejectedIdentifier', subproblems.length === 1 ? subproblems[0].detail : 'some identifiers cannot be ordered', { subproblems });
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.type}:${i.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The challenges an identifier may be proven with: a wildcard only through
 * dns-01 (RFC 8555 7.1.3), an IP address only through http-01 and
 * tls-alpn-01 (RFC 8738 7).
 */
export function challengeTypesFor(identifier: Identifier): { wildcard: boolean; value: string; types: ChallengeType[] } {
  if (identifier.type === 'ip') return { wildcard: false, value: identifier.value, types: ['http-01', 'tls-alpn-01'] };
  if (identifier.value.startsWith('*.')) return { wildcard: true, value: identifier.value.slice(2), types: ['dns-01'] };
  return { wildcard: false, value: identifier.value, types: ['http-01', 'dns-01', 'tls-alpn-01'] };
}

/**
 * RFC 8555 7.4: the CSR must ask for exactly the order's identifiers: its
 * DNS and IP SANs (and a CN, if any, must be one of them), no other SAN
 * type. The answer names what differs.
 */
export function csrMatchesOrder(csr: { subject: Name; subjectAltNames: San[] }, identifiers: Identifier[]): string | undefined {
  const want = new Set(identifiers.map((i) => `${i.type}:${i.value}`));
  const got = new Set<string>();
  for (const san of csr.subjectAltNames) {
    if (san.type === 'dns') got.add(`dns:${san.value.toLowerCase()}`);
    else if (san.type === 'ip') got.add(`ip:${canonicalIp(san.value) ?? san.value}`);
    else return `the CSR asks for a ${san.type} name; only dns and ip names can be ordered`;
  }
  for (const rdn of csr.subject) {
    if (rdn.type !== 'CN') continue;
    const cn = rdn.value.toLowerCase();
    const key = canonicalIp(cn) ? `ip:${canonicalIp(cn)}` : `dns:${cn}`;
    if (!want.has(key)) return `the CSR's common name ${JSON.stringify(rdn.value.slice(0, 64))} is not an identifier of the order`;
    got.add(key);
  }
  const extra = [...got].filter((k) => !want.has(k));
  const missing = [...want].filter((k) => !got.has(k));
  if (extra.length) return `the CSR asks for names outside the order: ${extra.slice(0, 5).join(', ')}`;
  if (missing.length) return `the CSR lacks identifiers of the order: ${missing.slice(0, 5).join(', ')}`;
  return undefined;
}
