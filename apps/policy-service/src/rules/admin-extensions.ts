import { BOUNDED_EXTENSIONS, extensionWidening } from '@signet/x509';
import { denial, type CertificateDraft, type Denial, type RuleContext } from './types';

/**
 * Rule `extension.admin`: no administrator's edit gives a certificate more
 * than its template allows (ADR 0023). Runs after the modifiers, because
 * the bound is what this template sets on this pass:
 *
 * - keyUsage, extKeyUsage, subjectAltName, basicConstraints: an
 *   administrator's extension may narrow the template's, never widen it
 *   (no keyCertSign, no cA TRUE, no disabled or anyExtendedKeyUsage EKU, no
 *   name the template did not accept for this request);
 * - any other OID: only if the template lists it in `adminExtensions`;
 *   disabling one is always allowed (it adds nothing).
 *
 * ca-core checks the first part again itself, and refuses CA powers in lint.
 */
export function checkAdminExtensions(ctx: RuleContext, draft: CertificateDraft): Denial[] {
  const out: Denial[] = [];
  for (const ext of ctx.request.certificate.extensions) {
    if (ext.origin !== 'admin') continue;
    const name = BOUNDED_EXTENSIONS[ext.oid];
    if (name) {
      const mine = draft.extensions.get(ext.oid);
      const bound = mine?.value !== undefined && !mine.disabled ? { critical: mine.critical ?? false, value: Buffer.from(mine.value, 'base64') } : undefined;
      const problem = extensionWidening(ext.oid, bound, { critical: ext.critical, value: Buffer.from(ext.value, 'base64'), disabled: ext.disabled });
      if (problem) {
        out.push(denial('extension.admin', `extensions.${name}`, problem, `the administrator's ${name} extension ${problem} (template ${ctx.templateName})`));
      }
      continue;
    }
    if (ext.disabled || ctx.template.adminExtensions.includes(ext.oid)) continue;
    out.push(
      denial('extension.admin', `extensions.${ext.oid}`, ext.oid, `template ${ctx.templateName} does not let an administrator add extension ${ext.oid} (it is not in the template's adminExtensions)`),
    );
  }
  return out;
}
