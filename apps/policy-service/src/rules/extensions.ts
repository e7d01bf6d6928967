import { type KeyUsageName, OID, encodeBasicConstraints, encodeExtKeyUsage, encodeKeyUsage, encodeSubjectAltName } from '@signet/x509';
import { acceptedSans } from './san';
import { buildSubject } from './subject';
import { type CertificateDraft, type RuleContext } from './types';

/**
 * Extension modifiers. ca-core copies no requested extension into the
 * certificate, so everything a template wants must be set here, as DER built
 * by @signet/x509 from values this policy validated, never from the CSR's
 * bytes. Criticality follows RFC 5280.
 */

function put(draft: CertificateDraft, oid: string, critical: boolean, der: Buffer): void {
  draft.extensions.set(oid, { oid, critical, value: der.toString('base64'), disabled: false });
}

/**
 * keyUsage (RFC 5280 4.2.1.3: SHOULD be critical): the template's usages
 * that apply to this key type. Nothing left → no extension, rather than a
 * usage the key cannot perform (ca-core's lint would refuse it anyway).
 */
export function keyUsagesFor(ctx: RuleContext): KeyUsageName[] {
  const alg = ctx.request.request.publicKey.algorithm;
  const out: KeyUsageName[] = [];
  for (const e of ctx.template.keyUsage) {
    if (e.keys && !(e.keys as string[]).includes(alg)) continue;
    if (!out.includes(e.usage)) out.push(e.usage);
  }
  return out;
}

export function setKeyUsage(ctx: RuleContext, draft: CertificateDraft): void {
  const usages = keyUsagesFor(ctx);
  if (usages.length > 0) put(draft, OID.keyUsage, true, encodeKeyUsage(usages));
}

/** extKeyUsage (RFC 5280 4.2.1.12): non-critical, so relying parties that ignore it still see keyUsage. */
export function setExtKeyUsage(ctx: RuleContext, draft: CertificateDraft): void {
  const oids = [...new Set(ctx.template.extKeyUsage)];
  if (oids.length > 0) put(draft, OID.extKeyUsage, false, encodeExtKeyUsage(oids));
}

/**
 * subjectAltName rebuilt from the validated names. RFC 5280 4.2.1.6: with
 * an empty subject the SAN is the only identity and MUST be critical.
 */
export function setSubjectAltName(ctx: RuleContext, draft: CertificateDraft): void {
  const sans = acceptedSans(ctx.sans, ctx.template, ctx.templateName);
  if (sans.length === 0) return;
  const subject = draft.subject ?? buildSubject(ctx);
  put(draft, OID.subjectAltName, subject.length === 0, encodeSubjectAltName(sans));
}

/** basicConstraints cA=FALSE, when the template asks for it (CA/B and many verifiers like to see it on leaves). */
export function setBasicConstraints(ctx: RuleContext, draft: CertificateDraft): void {
  const bc = ctx.template.basicConstraints;
  if (bc) put(draft, OID.basicConstraints, bc.critical, encodeBasicConstraints({ ca: false }));
}

/** The CertificateTemplate certificate property, so views and exit modules can tell which profile was used. */
export function setTemplate(ctx: RuleContext, draft: CertificateDraft): void {
  draft.template = ctx.templateName;
}

/**
 * An earlier pass (or an earlier template: an administrator may change the
 * CertificateTemplate attribute before resubmitting) may have set policy
 * extensions this pass does not want. Disable them so the certificate is
 * exactly the current template's; admin-set extensions are left alone.
 */
export function disableStalePolicyExtensions(ctx: RuleContext, draft: CertificateDraft): void {
  for (const ext of ctx.request.certificate.extensions) {
    if (ext.origin !== 'policy' || ext.disabled || draft.extensions.has(ext.oid)) continue;
    draft.extensions.set(ext.oid, { oid: ext.oid, critical: ext.critical, value: ext.value, disabled: true });
  }
}
