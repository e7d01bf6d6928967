import { requesterNameOf, type Name, type PolicyVerifyRequest, type ProvenName, type San } from '@signet/contracts';
import { attributeMaxLength, canonicalAttributeType } from '@signet/x509';
import { type TemplateConfig } from '../config/policy-file.schema';
import { isProven, nameInSubjectValue } from '../names/proof';
import { SAN_LABEL, acceptedSans } from './san';
import { denial, type Denial, type Hold, type RequestedSan, type RuleContext } from './types';

/**
 * Where a certificate's names come from (ADR 0026, 0030): the template's
 * `names`. Under `from: identity` (AD CS "build from this Active Directory
 * information") the SANs are the identity's proven names and the subject
 * is built from the identity; the CSR's names are not used. Under
 * `from: request` (AD CS "supply in the request") they are the CSR's, and
 * each must be among the identity's proven names.
 */

export interface NameSource {
  sans: RequestedSan[];
  subject: Name;
  /** For the requester: what was not used. */
  notes: string[];
}

/** The CN a subject built from the identity gets when the identity vouches for none. */
const CN_SOURCES = ['email', 'upn', 'dns'] as const;
const CN_MAX = attributeMaxLength('CN');

/**
 * The names and subject the rules judge. `requested` are the names the
 * request asked for (the CSR's, then an honoured san attribute's).
 */
export function nameSource(req: PolicyVerifyRequest, template: TemplateConfig, templateName: string, requested: RequestedSan[]): NameSource {
  if (template.names.from === 'request') return { sans: requested, subject: req.request.subject, notes: [] };
  // Only the types the template issues: like AD CS's subject-name flags, the template picks which kinds of names to build.
  const sans: RequestedSan[] = req.identity.names.filter((n) => template.san[n.type] !== undefined).map((n) => ({ ...n, source: 'identity' as const }));
  const notes =
    requested.length > 0 || req.request.subject.length > 0
      ? [`template ${templateName} builds the names from the identity; the request's were not used`]
      : [];
  return { sans, subject: identitySubject(req.identity.subject ?? [], template, templateName, sans), notes };
}

/**
 * The subject built from the identity, for subject mode `request` (the
 * other modes do not read it as a subject: `cn-from-san` takes a CN from
 * the DNS names, `fixed` is fixed): the attributes the identity vouches
 * for, of the types the template allows; then, when there is no CN and the
 * template allows one, CN = the first proven email address, else UPN, else
 * DNS name that fits a CN (the identity's principal is never a name).
 */
export function identitySubject(vouched: Name, template: TemplateConfig, templateName: string, sans: readonly RequestedSan[]): Name {
  const rule = template.subject;
  if (rule.mode !== 'request') return vouched.map((r) => ({ type: canonicalAttributeType(r.type) ?? r.type, value: r.value }));
  const subject: Name = [];
  for (const r of vouched) {
    const type = canonicalAttributeType(r.type);
    if (type !== undefined && rule.allowed.includes(type)) subject.push({ type, value: r.value });
  }
  if (!subject.some((r) => r.type === 'CN') && rule.allowed.includes('CN')) {
    // Only names the certificate will carry can become its CN.
    const accepted = acceptedSans(sans, template, templateName);
    for (const type of CN_SOURCES) {
      const n = accepted.find((s) => s.type === type && s.value.length <= CN_MAX);
      if (n) {
        subject.unshift({ type: 'CN', value: n.value });
        break;
      }
    }
  }
  return subject;
}

interface AskedName extends San {
  field: string;
}

/** Names a subject holds: CN values that are names (a host, an address, a mailbox), and every E. */
function subjectNames(subject: Name): AskedName[] {
  const out: AskedName[] = [];
  for (const r of subject) {
    const type = canonicalAttributeType(r.type);
    if (type === 'CN') {
      const n = nameInSubjectValue(r.value);
      if (n) out.push({ ...n, field: 'subject.CN' });
    } else if (type === 'E') {
      out.push({ type: 'email', value: r.value, field: 'subject.E' });
    }
  }
  return out;
}

function sanNames(sans: readonly San[]): AskedName[] {
  return sans.map((s) => ({ type: s.type, value: s.value, field: `subjectAltName.${s.type}` }));
}

/**
 * Names a `from: request` certificate would carry from the request: every
 * requested SAN, and the subject's names when the subject is the
 * request's (mode `request`). Under `cn-from-san` the CN is one of the
 * SANs, and under `fixed` the request's subject is not used.
 */
function namesToProve(ctx: RuleContext): AskedName[] {
  const subject = ctx.template.subject.mode === 'request' ? subjectNames(ctx.subject) : [];
  return [...sanNames(ctx.sans), ...subject];
}

function unproven(ctx: RuleContext): AskedName[] {
  const proven: readonly ProvenName[] = ctx.request.identity.names;
  const seen = new Set<string>();
  return namesToProve(ctx).filter((n) => {
    const key = `${n.type}:${n.value}`;
    if (seen.has(key) || isProven(proven, n)) return false;
    seen.add(key);
    return true;
  });
}

function unprovenMessage(ctx: RuleContext, n: AskedName): string {
  return `${SAN_LABEL[n.type]} ${n.value} is not among the names ${requesterNameOf(ctx.request.identity)} proved`;
}

/** Rule `names.unproven` (unproven: deny): a requested name the identity did not prove denies the request. */
export function checkNamesProven(ctx: RuleContext): Denial[] {
  const rule = ctx.template.names;
  if (rule.from !== 'request' || rule.unproven !== 'deny') return [];
  return unproven(ctx).map((n) =>
    denial('names.unproven', n.field, n.value, `${unprovenMessage(ctx, n)}; template ${ctx.templateName} issues only proven names`),
  );
}

/** Hold `names.unproven` (unproven: pend): a requested name the identity did not prove waits for a certificate manager. */
export function unprovenHolds(ctx: RuleContext): Hold[] {
  const rule = ctx.template.names;
  if (rule.from !== 'request' || rule.unproven !== 'pend') return [];
  return unproven(ctx).map((n) =>
    denial('names.unproven', n.field, n.value, `${unprovenMessage(ctx, n)}; template ${ctx.templateName} holds it for a certificate manager`),
  );
}

/**
 * Rule `names.identity` (from: identity): the identity must prove at least
 * one name of a type the template issues. Building a certificate from an
 * identity that proved none would certify only what it vouches for (a
 * display name, a CN carried over from another certificate): a
 * client-authentication certificate with no proven name is AD CS's ESC1 by
 * another road (a loopback certificate of `Development`, presented as a
 * client certificate, would otherwise become one).
 */
export function checkIdentityProvesNames(ctx: RuleContext): Denial[] {
  if (ctx.template.names.from !== 'identity') return [];
  const issued = (Object.keys(ctx.template.san) as Array<keyof typeof ctx.template.san>).filter((t) => ctx.template.san[t] !== undefined);
  if (ctx.request.identity.names.some((n) => issued.includes(n.type))) return [];
  const who = requesterNameOf(ctx.request.identity);
  return [
    denial(
      'names.identity',
      'identity',
      who,
      `template ${ctx.templateName} builds its names from the identity, and ${who} proved none it issues (${issued.map((t) => SAN_LABEL[t]).join(', ') || 'none'})`,
    ),
  ];
}

/**
 * Rule `names.match` (from: identity, requireMatch): every name the CSR
 * holds (its SANs, a CN that is a name, an E) must be covered by a name the
 * certificate gets from the identity; the CSR may hold fewer. A client that
 * asks for a name it would not get learns it from a denial, not from the
 * certificate.
 */
export function checkNamesMatch(ctx: RuleContext): Denial[] {
  const rule = ctx.template.names;
  if (rule.from !== 'identity' || !rule.requireMatch) return [];
  const built: ProvenName[] = acceptedSans(ctx.sans, ctx.template, ctx.templateName);
  return [...sanNames(ctx.requested), ...subjectNames(ctx.request.request.subject)]
    .filter((n) => !isProven(built, n))
    .map((n) =>
      denial('names.match', n.field, n.value, `${SAN_LABEL[n.type]} ${n.value} in the request is not among the names template ${ctx.templateName} builds from the identity of ${requesterNameOf(ctx.request.identity)}`),
    );
}
