import { requesterNameOf, type Identity } from '@signet/contracts';
import { type EnrollRule } from '../config/enrollment.schema';
import { denial, type Denial, type Hold, type RuleContext } from './types';

/**
 * The template's Enroll right (AD CS template ACL), ADR 0026: nobody
 * enrolls unless the template lists them, by method, by principal
 * (`<method>:<principal>`, the requester name ca-core shows) or by group.
 * An anonymous requester only where the template sets `anonymous`.
 */
export function mayEnroll(identity: Identity, rule: EnrollRule): boolean {
  if (identity.method === 'anonymous') return rule.anonymous !== undefined;
  return (
    (rule.methods as string[]).includes(identity.method) ||
    rule.principals.includes(requesterNameOf(identity)) ||
    identity.groups.some((g) => rule.groups.includes(g))
  );
}

/** Rule `enroll.permission`: the identity may not enroll in this template. Names the requester (method and principal). */
export function checkEnrollPermission(ctx: RuleContext): Denial[] {
  const identity = ctx.request.identity;
  if (mayEnroll(identity, ctx.template.enroll)) return [];
  const who = requesterNameOf(identity);
  // Which methods the template admits helps a requester pick a credential; principals and groups stay unnamed.
  const methods = ctx.template.enroll.methods.length ? `; it admits ${ctx.template.enroll.methods.join(', ')}` : '';
  const anonymous = identity.method === 'anonymous' ? ' without authentication' : '';
  return [denial('enroll.permission', 'identity', who, `${who} may not enroll in template ${ctx.templateName}${anonymous}${methods}`)];
}

/** Rule `enroll.template`: a credential bound to one template (an enrollment token or secret) is good for that template only. */
export function checkTemplateBinding(ctx: RuleContext): Denial[] {
  const bound = ctx.request.identity.template;
  if (bound === undefined || bound.toLowerCase() === ctx.templateName.toLowerCase()) return [];
  return [
    denial(
      'enroll.template',
      'identity.template',
      bound,
      `${requesterNameOf(ctx.request.identity)} holds a credential bound to template ${bound}, not ${ctx.templateName}`,
    ),
  ];
}

/** Hold `enroll.anonymous`: an anonymous request waits for a certificate manager unless the template says `anonymous: issue`. */
export function anonymousHold(ctx: RuleContext): Hold[] {
  if (ctx.request.identity.method !== 'anonymous' || ctx.template.enroll.anonymous !== 'pend') return [];
  return [denial('enroll.anonymous', 'identity', 'anonymous', `template ${ctx.templateName} holds requests from unauthenticated requesters for a certificate manager`)];
}
