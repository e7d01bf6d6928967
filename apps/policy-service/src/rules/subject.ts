import { type Name } from '@signet/contracts';
import { attributeMaxLength, canonicalAttributeType } from '@signet/x509';
import { isAtOrUnder } from '../names/dns';
import { parseEmail } from '../names/mailbox';
import { acceptedSans } from './san';
import { denial, type CertificateDraft, type Denial, type RuleContext } from './types';

/** Attribute types that may legitimately repeat in one name (several OUs, one DC per label). */
const REPEATABLE = new Set(['OU', 'DC']);
/** The longest DNS name that fits a CN (ub-common-name). */
const CN_MAX = attributeMaxLength('CN');

/**
 * Rules `subject.*` for subject mode `request`: only the template's attribute
 * types, each non-empty and within its length, required ones present, no
 * repeated CN/O/... (which one would a relying party show?), and an E
 * attribute under the template's email domains when it has any. Other modes
 * replace the subject and do not look at the CSR's.
 * Rule `subject.empty` for every mode: an empty subject needs a SAN.
 */
export function checkSubject(ctx: RuleContext): Denial[] {
  const out: Denial[] = [];
  const rule = ctx.template.subject;
  const t = ctx.templateName;
  if (rule.mode === 'request') {
    const counts = new Map<string, number>();
    for (const rdn of ctx.subject) {
      const type = canonicalAttributeType(rdn.type);
      const field = `subject.${type ?? rdn.type}`;
      if (type === undefined || !rule.allowed.includes(type)) {
        out.push(denial('subject.attribute', field, rdn.value, `subject attribute ${rdn.type} is not allowed by template ${t} (allowed: ${rule.allowed.join(', ')})`));
        continue;
      }
      counts.set(type, (counts.get(type) ?? 0) + 1);
      if (counts.get(type) === 2 && !REPEATABLE.has(type)) {
        out.push(denial('subject.repeated', field, rdn.value, `subject attribute ${type} appears more than once`));
      }
      if (rdn.value.trim() === '') {
        out.push(denial('subject.value', field, rdn.value, `subject attribute ${type} is empty`));
        continue;
      }
      // RFC 5280 upper bounds: a longer value would be cut or refused by verifiers, so refuse it here with a reason.
      const max = attributeMaxLength(type);
      if (rdn.value.length > max) {
        out.push(denial('subject.length', field, rdn.value, `subject attribute ${type} is longer than ${max} characters`));
      }
      if (type === 'C' && !/^[A-Z]{2}$/.test(rdn.value)) {
        out.push(denial('subject.value', field, rdn.value, 'subject attribute C must be a two-letter ISO 3166 country code in capitals'));
      }
      if (type === 'E') out.push(...checkSubjectEmail(ctx, rdn.value));
    }
    for (const req of rule.required) {
      if (!counts.has(req)) out.push(denial('subject.required', `subject.${req}`, '', `template ${t} requires subject attribute ${req}`));
    }
  }
  // When the template demands some SAN, san.required already explains an empty request; say it once.
  const sanRequired = Object.values(ctx.template.san).some((r) => r !== undefined && r.min > 0);
  if (out.length === 0 && !sanRequired && buildSubject(ctx).length === 0 && acceptedSans(ctx.sans, ctx.template, t).length === 0) {
    out.push(denial('subject.empty', 'subject', '', `the certificate would have neither a subject nor a subject alternative name`));
  }
  return out;
}

/** An E attribute is a mailbox claim like an email SAN, so it gets the same domain check. */
function checkSubjectEmail(ctx: RuleContext, value: string): Denial[] {
  const m = parseEmail(value);
  if (!m.ok) return [denial('subject.email', 'subject.E', value, `subject attribute E ${value} ${m.reason}`)];
  const domains = ctx.template.san.email?.domains;
  if (domains && !domains.some((d) => isAtOrUnder(m.domain, d))) {
    return [denial('subject.email', 'subject.E', value, `email address ${value} is not under an allowed domain of template ${ctx.templateName}`)];
  }
  return [];
}

/**
 * The subject the certificate gets, by the template's mode:
 * - `request`: the RDNs asked for (the CSR's, or the identity's under
 *   names.from identity), types in canonical short form;
 * - `cn-from-san`: CN only: the CSR's CN when it is one of the validated DNS
 *   names, else the first DNS name that fits a CN; none fits → empty subject
 *   (the SAN then carries the identity and is marked critical);
 * - `fixed`: the configured name.
 */
export function buildSubject(ctx: RuleContext): Name {
  const rule = ctx.template.subject;
  switch (rule.mode) {
    case 'request':
      return ctx.subject.map((r) => ({ type: canonicalAttributeType(r.type) ?? r.type, value: r.value }));
    case 'fixed':
      return rule.name.map((r) => ({ type: r.type, value: r.value }));
    case 'cn-from-san': {
      const dns = acceptedSans(ctx.sans, ctx.template, ctx.templateName)
        .filter((s) => s.type === 'dns' && s.value.length <= CN_MAX)
        .map((s) => s.value);
      const asked = ctx.subject.find((r) => canonicalAttributeType(r.type) === 'CN')?.value.toLowerCase();
      const cn = dns.find((d) => d === asked) ?? dns[0];
      return cn === undefined ? [] : [{ type: 'CN', value: cn }];
    }
  }
}

/** Modifier: the subject, always set explicitly (the proposed one is the CSR's, which the template may not want). */
export function setSubject(ctx: RuleContext, draft: CertificateDraft): void {
  draft.subject = buildSubject(ctx);
}
