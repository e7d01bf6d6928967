import { type San, type SanType } from '@signet/contracts';
import { OID } from '@signet/x509';
import { type TemplateConfig } from '../config/policy-file.schema';
import { dnsNamePermitted, isAtOrUnder, parseDnsName } from '../names/dns';
import { ipInRanges, parseIp } from '../names/ip';
import { parseEmail, parseUpn } from '../names/mailbox';
import { parseUri } from '../names/uri';
import { denial, type Denial, type RequestedSan, type RuleContext } from './types';

export const SAN_LABEL: Record<SanType, string> = { dns: 'DNS name', ip: 'IP address', email: 'email address', upn: 'UPN', uri: 'URI' };
const PLURAL: Record<SanType, string> = { dns: 'DNS names', ip: 'IP addresses', email: 'email addresses', upn: 'UPNs', uri: 'URIs' };
const count = (n: number, type: SanType) => `${n} ${n === 1 ? SAN_LABEL[type] : PLURAL[type]}`;

export type SanCheck = { ok: true; san: San } | { ok: false; denial: Denial };

/**
 * Rules `san.dns`, `san.ip`, `san.email`, `san.upn`, `san.uri` for one name:
 * syntax, then the template's allow-list. On success it returns the name in
 * the form the certificate will carry (lower-case DNS labels, canonical IP).
 * The type itself is checked by `san.type`; a type the template lacks fails here too.
 */
export function checkSanName(san: San, template: TemplateConfig, templateName: string): SanCheck {
  const rule = `san.${san.type}`;
  const field = `subjectAltName.${san.type}`;
  const fail = (message: string): SanCheck => ({ ok: false, denial: denial(rule, field, san.value, message) });
  const notUnder = `${SAN_LABEL[san.type]} ${san.value} is not under an allowed domain of template ${templateName}`;
  switch (san.type) {
    case 'dns': {
      const r = template.san.dns;
      if (!r) return fail(typeNotAllowed(san.type, template, templateName));
      // A single-label name (localhost, intranet) lies under no domain and may
      // be anyone's host, so it passes only when names lists it exactly. A
      // wildcard over one label (*.test) stays refused either way.
      const oneLabel = !san.value.includes('.');
      const listed = oneLabel && r.names.includes(san.value.toLowerCase());
      const n = parseDnsName(san.value, { wildcard: true, minLabels: listed ? 1 : 2 });
      if (!n.ok) {
        if (oneLabel && parseDnsName(san.value, { minLabels: 1 }).ok) {
          return fail(`DNS name ${san.value} is a single-label name, which template ${templateName} accepts only when its san.dns.names lists it`);
        }
        return fail(`DNS name ${san.value} ${n.reason}`);
      }
      // A listed exact wildcard is an explicit decision, so it passes even without allowWildcard.
      if (n.wildcard && !r.allowWildcard && !r.names.includes(n.name)) {
        return fail(`DNS name ${san.value} is a wildcard, which template ${templateName} does not allow`);
      }
      if (!dnsNamePermitted(n.name, n.wildcard, r.domains, r.names)) return fail(notUnder);
      return { ok: true, san: { type: 'dns', value: n.name } };
    }
    case 'ip': {
      const r = template.san.ip;
      if (!r) return fail(typeNotAllowed(san.type, template, templateName));
      const ip = parseIp(san.value);
      if (!ip.ok) return fail(`IP address ${san.value} ${ip.reason}`);
      if (!ipInRanges(ip, r.ranges)) return fail(`IP address ${san.value} is not in an allowed range of template ${templateName}`);
      return { ok: true, san: { type: 'ip', value: ip.value } };
    }
    case 'email':
    case 'upn': {
      const r = template.san[san.type];
      if (!r) return fail(typeNotAllowed(san.type, template, templateName));
      const m = san.type === 'email' ? parseEmail(san.value) : parseUpn(san.value);
      if (!m.ok) return fail(`${SAN_LABEL[san.type]} ${san.value} ${m.reason}`);
      if (!r.domains.some((d) => isAtOrUnder(m.domain, d))) return fail(notUnder);
      return { ok: true, san: { type: san.type, value: m.value } };
    }
    case 'uri': {
      const r = template.san.uri;
      if (!r) return fail(typeNotAllowed(san.type, template, templateName));
      const u = parseUri(san.value);
      if (!u.ok) return fail(`URI ${san.value} ${u.reason}`);
      if (!r.schemes.includes(u.scheme)) return fail(`URI ${san.value} has scheme ${u.scheme}, not allowed by template ${templateName} (allowed: ${r.schemes.join(', ')})`);
      if (!r.domains.some((d) => isAtOrUnder(u.host, d))) return fail(notUnder);
      return { ok: true, san: { type: 'uri', value: u.value } };
    }
  }
}

function typeNotAllowed(type: SanType, template: TemplateConfig, templateName: string): string {
  const allowed = Object.keys(template.san);
  return `${PLURAL[type]} are not allowed by template ${templateName} (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`;
}

/** Rule `san.type`: one denial per SAN type the template does not accept. */
export function checkSanTypes(ctx: RuleContext): Denial[] {
  const seen = new Set<SanType>();
  const out: Denial[] = [];
  for (const s of ctx.sans) {
    if (ctx.template.san[s.type] || seen.has(s.type)) continue;
    seen.add(s.type);
    out.push(denial('san.type', `subjectAltName.${s.type}`, s.value, typeNotAllowed(s.type, ctx.template, ctx.templateName)));
  }
  return out;
}

/** Rules `san.dns` ... `san.uri` over every name whose type the template accepts (others are `san.type`'s). */
export function checkSanNames(ctx: RuleContext): Denial[] {
  const out: Denial[] = [];
  for (const s of ctx.sans) {
    if (!ctx.template.san[s.type]) continue;
    const r = checkSanName(s, ctx.template, ctx.templateName);
    if (!r.ok) out.push(r.denial);
  }
  return out;
}

/**
 * Rules `san.required` and `san.count`: per-type minimum and maximum, and at
 * least one DNS or IP name for serverAuth, which TLS clients match against
 * and ca-core's lint insists on. They count the distinct names requested,
 * valid or not: a bad name is already denied by its own rule, and counting
 * it here keeps one mistake from being reported twice.
 */
export function checkSanCounts(ctx: RuleContext): Denial[] {
  const distinct = new Map<SanType, Set<string>>();
  for (const s of ctx.sans) {
    const set = distinct.get(s.type) ?? new Set<string>();
    set.add(s.type === 'upn' || s.type === 'uri' ? s.value : s.value.toLowerCase());
    distinct.set(s.type, set);
  }
  const countOf = (type: SanType) => distinct.get(type)?.size ?? 0;
  const out: Denial[] = [];
  for (const [type, rule] of Object.entries(ctx.template.san) as [SanType, { min: number; max: number } | undefined][]) {
    if (!rule) continue;
    const n = countOf(type);
    if (n < rule.min) {
      out.push(denial('san.required', `subjectAltName.${type}`, String(n), `template ${ctx.templateName} requires at least ${count(rule.min, type)}, the request has ${n}`));
    }
    if (n > rule.max) {
      out.push(denial('san.count', `subjectAltName.${type}`, String(n), `template ${ctx.templateName} allows at most ${count(rule.max, type)}, the request has ${n}`));
    }
  }
  const tlsNames = countOf('dns') + countOf('ip');
  // Only when the per-type minimum did not already say it.
  if (ctx.template.extKeyUsage.includes(OID.serverAuth) && tlsNames === 0 && !out.some((d) => d.rule === 'san.required')) {
    out.push(denial('san.required', 'subjectAltName', '0', `template ${ctx.templateName} issues TLS server certificates, which need at least one DNS name or IP address`));
  }
  return out;
}

/**
 * The names that pass their rules, in certificate form, duplicates removed,
 * in request order. This is what the SAN modifier writes: the certificate
 * carries the names we validated, never the CSR's bytes.
 */
export function acceptedSans(sans: readonly RequestedSan[], template: TemplateConfig, templateName: string): San[] {
  const out: San[] = [];
  const seen = new Set<string>();
  for (const s of sans) {
    const r = checkSanName(s, template, templateName);
    if (!r.ok) continue;
    const key = `${r.san.type}:${r.san.type === 'upn' || r.san.type === 'uri' ? r.san.value : r.san.value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r.san);
  }
  return out;
}
