import { isSignetError, type PolicyVerifyReply, type PolicyVerifyRequest } from '@signet/contracts';
import { type PolicyConfig } from '../config/policy-file.schema';
import { checkAdminExtensions } from '../rules/admin-extensions';
import { checkDispositionAttribute, decide, readDispositionAttribute } from '../rules/disposition';
import {
  disableStalePolicyExtensions,
  setBasicConstraints,
  setExtKeyUsage,
  setKeyUsage,
  setSubjectAltName,
  setTemplate,
} from '../rules/extensions';
import { anonymousHold, checkEnrollPermission, checkTemplateBinding } from '../rules/enroll';
import { checkKey } from '../rules/key';
import { checkIdentityProvesNames, checkNamesMatch, checkNamesProven, nameSource, unprovenHolds } from '../rules/names';
import { checkSanCounts, checkSanNames, checkSanTypes } from '../rules/san';
import { collectSans } from '../rules/san-attribute';
import { checkSubject, setSubject } from '../rules/subject';
import { resolveTemplate } from '../rules/template';
import { denial, type CertificateDraft, type Denial, type HoldCheck, type Modifier, type RuleContext, type Validator } from '../rules/types';
import { checkValidityAttribute, setValidity } from '../rules/validity';

/**
 * Who may enroll, before anything else: a requester the template does not
 * admit learns nothing more about it than that.
 */
const ENROLL: readonly Validator[] = [checkEnrollPermission, checkTemplateBinding];

/** Validators, in the order their denials are reported (the first one decides). */
const VALIDATORS: readonly Validator[] = [
  // A certificate built from an identity that proved no name it could carry is refused for that, before any rule about its shape.
  checkIdentityProvesNames,
  checkDispositionAttribute,
  checkKey,
  checkSanTypes,
  checkSanNames,
  checkSanCounts,
  checkSubject,
  checkValidityAttribute,
  // After the template's own name rules: a name the template never issues is denied for that, whoever proved it.
  checkNamesMatch,
  checkNamesProven,
];

/** Reasons to wait for a certificate manager, in the order they are reported (the first one decides). */
const HOLDS: readonly HoldCheck[] = [anonymousHold, unprovenHolds];

/** Modifiers, in order: the subject before the SAN, whose criticality depends on it. */
const MODIFIERS: readonly { rule: string; apply: Modifier }[] = [
  { rule: 'template.property', apply: setTemplate },
  { rule: 'subject', apply: setSubject },
  { rule: 'validity', apply: setValidity },
  { rule: 'extension.keyUsage', apply: setKeyUsage },
  { rule: 'extension.extKeyUsage', apply: setExtKeyUsage },
  { rule: 'extension.subjectAltName', apply: setSubjectAltName },
  { rule: 'extension.basicConstraints', apply: setBasicConstraints },
  { rule: 'extension.stale', apply: disableStalePolicyExtensions },
];

/**
 * ICertPolicy::VerifyRequest as a pure function: snapshot in, verdict and
 * changes out. No I/O and no clock (validity is computed from the proposed
 * notBefore), so the same request and policy always give the same answer.
 */
export function evaluate(req: PolicyVerifyRequest, policy: PolicyConfig): PolicyVerifyReply {
  const resolved = resolveTemplate(req, policy);
  const dispositionAttribute = readDispositionAttribute(req.request.attributes);
  if (!resolved.ok) return denied([resolved.denial], req, policy);

  const collected = collectSans(req, policy);
  const source = nameSource(req, resolved.template, resolved.name, collected.sans);
  const ctx: RuleContext = {
    request: req,
    policy,
    templateName: resolved.name,
    template: resolved.template,
    sans: source.sans,
    requested: collected.sans,
    subject: source.subject,
  };
  const enrollDenials = ENROLL.flatMap((v) => v(ctx));
  if (enrollDenials.length > 0) return denied(enrollDenials, req, policy, resolved.name);
  const denials: Denial[] = [...collected.denials];
  if (denials.length === 0) {
    for (const v of VALIDATORS) denials.push(...v(ctx));
  }
  if (denials.length > 0) return denied(denials, req, policy, resolved.name);

  const draft: CertificateDraft = { extensions: new Map() };
  for (const m of MODIFIERS) {
    try {
      m.apply(ctx, draft);
    } catch (e) {
      // The encoders refuse what they cannot write; the validators should have
      // caught it first, but a refusal must become a reasoned denial, not a failed request.
      if (!isSignetError(e)) throw e;
      return denied([denial(m.rule, m.rule, '', e.message)], req, policy, resolved.name);
    }
  }
  // Administrators' extensions are judged against what this template sets, so after the modifiers.
  const adminDenials = checkAdminExtensions(ctx, draft);
  if (adminDenials.length > 0) return denied(adminDenials, req, policy, resolved.name);

  const decision = decide({
    denials: [],
    holds: HOLDS.flatMap((h) => h(ctx)),
    newRequest: req.newRequest,
    policy,
    templateName: resolved.name,
    requiresApproval: resolved.template.requiresApproval,
    dispositionAttribute,
  });
  const allNotes = [...collected.notes, ...source.notes];
  const notes = allNotes.length ? ` (${allNotes.join('; ')})` : '';
  return {
    verdict: decision.verdict,
    message: `${decision.message}${notes}`,
    decidedBy: decision.decidedBy,
    changes: {
      subject: draft.subject,
      notAfter: draft.notAfter,
      template: draft.template,
      extensions: [...draft.extensions.values()],
    },
  };
}

function denied(denials: Denial[], req: PolicyVerifyRequest, policy: PolicyConfig, templateName?: string): PolicyVerifyReply {
  const d = decide({
    denials,
    holds: [],
    newRequest: req.newRequest,
    policy,
    templateName,
    requiresApproval: false,
    dispositionAttribute: 'none',
  });
  return { verdict: d.verdict, message: d.message, decidedBy: d.decidedBy, changes: {} };
}
