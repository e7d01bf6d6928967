import { Attr, type PolicyVerifyRequest } from '@signet/contracts';
import { type PolicyConfig, type TemplateConfig } from '../config/policy-file.schema';
import { denial, type Denial } from './types';

export type TemplateResolution = { ok: true; name: string; template: TemplateConfig } | { ok: false; denial: Denial };

/**
 * Rule `template.known`: which template governs the request. In order: the
 * CertificateTemplate attribute (an administrator may have changed it on a
 * pending request), the template chosen on an earlier pass (so a changed
 * defaultTemplate does not move a pending request), the template the
 * requester's credential is bound to, then defaultTemplate.
 * Names match without case, as AD CS template names do.
 */
export function resolveTemplate(req: PolicyVerifyRequest, policy: PolicyConfig): TemplateResolution {
  const asked = req.request.attributes[Attr.CertificateTemplate]?.trim();
  const wanted = asked || req.certificate.template || req.identity.template || policy.defaultTemplate;
  if (!wanted) {
    return {
      ok: false,
      denial: denial(
        'template.known',
        'CertificateTemplate',
        '',
        `no certificate template requested (attribute CertificateTemplate); this CA offers ${offered(policy)}`,
      ),
    };
  }
  const name = Object.keys(policy.templates).find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (name === undefined) {
    return {
      ok: false,
      denial: denial('template.known', 'CertificateTemplate', wanted, `certificate template ${wanted} is not offered by this CA; it offers ${offered(policy)}`),
    };
  }
  return { ok: true, name, template: policy.templates[name] };
}

function offered(policy: PolicyConfig): string {
  return Object.keys(policy.templates).join(', ');
}
