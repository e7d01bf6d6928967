import { Attr, Verdict, type DecidingRule } from '@signet/contracts';
import { type PolicyConfig } from '../config/policy-file.schema';
import { denial, type Denial, type Hold, type RuleContext } from './types';

/**
 * The requester's `Disposition` attribute (AD CS REQDISP_USEREQUESTATTRIBUTE),
 * honoured only when the policy says so, and only in the stricter direction:
 * `pending` asks for a manager's look, `deny` withdraws the request.
 */
export type DispositionAttribute = 'none' | 'pending' | 'deny' | { invalid: string };

export function readDispositionAttribute(attrs: Record<string, string>): DispositionAttribute {
  const v = attrs[Attr.Disposition]?.trim().toLowerCase();
  if (!v) return 'none';
  if (v === 'pending' || v === 'pend') return 'pending';
  if (v === 'deny' || v === 'denied') return 'deny';
  return { invalid: attrs[Attr.Disposition].trim() };
}

/** Rule `disposition.attribute`: a honoured Disposition attribute must say pending or deny; `deny` denies. */
export function checkDispositionAttribute(ctx: RuleContext): Denial[] {
  if (!ctx.policy.honourDispositionAttribute) return [];
  const d = readDispositionAttribute(ctx.request.request.attributes);
  if (typeof d === 'object') {
    // Anything else (including "issue") could only loosen the policy, which this attribute may never do.
    return [denial('disposition.attribute', 'Disposition', d.invalid, `Disposition attribute "${d.invalid}" is not honoured: use pending or deny`)];
  }
  if (d === 'deny') return [denial('disposition.attribute', 'Disposition', 'deny', 'the request asked to be denied (Disposition attribute)')];
  return [];
}

export interface Decision {
  verdict: Verdict;
  message: string;
  decidedBy: DecidingRule;
}

export interface DecisionInput {
  denials: readonly Denial[];
  /** Reasons a request breaking no rule waits for a certificate manager (an anonymous requester, an unproven name). */
  holds: readonly Hold[];
  newRequest: boolean;
  policy: Pick<PolicyConfig, 'dispositionMode' | 'honourDispositionAttribute'>;
  templateName?: string;
  requiresApproval: boolean;
  dispositionAttribute: DispositionAttribute;
}

/**
 * The verdict, last of all (AD CS [MS-WCCE] RequestDisposition):
 * 1. any denial → deny, named by the first one (rules apply on resubmit
 *    too: approving a request does not excuse it from the policy);
 * 2. a resubmit (newRequest false) is a certificate manager's approval → issue;
 * 3. a hold (`enroll.anonymous`, `names.unproven`) → pend, named by the first one;
 * 4. a honoured `Disposition: pending` → pend;
 * 5. dispositionMode `pend-all` (standalone default, PENDINGFIRST) → pend;
 * 6. mode `template` and the template requires approval → pend;
 * 7. otherwise → issue.
 */
export function decide(input: DecisionInput): Decision {
  const [first, ...rest] = input.denials;
  if (first) {
    const more = rest.length ? ` (and ${rest.length} more: ${rest.map((d) => d.message).join('; ')})` : '';
    return {
      verdict: Verdict.Deny,
      message: clip(`${first.message}${more}`),
      decidedBy: { rule: first.rule, field: first.field, value: first.value },
    };
  }
  const t = input.templateName ?? '(none)';
  if (!input.newRequest) {
    return { verdict: Verdict.Issue, message: `issued under template ${t} after approval`, decidedBy: { rule: 'disposition.approved', field: 'template', value: t } };
  }
  const [hold, ...otherHolds] = input.holds;
  if (hold) {
    const more = otherHolds.length ? ` (and ${otherHolds.length} more: ${otherHolds.map((h) => h.message).join('; ')})` : '';
    return {
      verdict: Verdict.Pend,
      message: clip(`pending: ${hold.message}${more}`),
      decidedBy: { rule: hold.rule, field: hold.field, value: hold.value },
    };
  }
  if (input.policy.honourDispositionAttribute && input.dispositionAttribute === 'pending') {
    return {
      verdict: Verdict.Pend,
      message: 'pending: the request asked for approval by a certificate manager (Disposition attribute)',
      decidedBy: { rule: 'disposition.attribute', field: 'Disposition', value: 'pending' },
    };
  }
  if (input.policy.dispositionMode === 'pend-all') {
    return {
      verdict: Verdict.Pend,
      message: 'pending: every new request on this CA waits for a certificate manager',
      decidedBy: { rule: 'disposition.pend-all' },
    };
  }
  if (input.requiresApproval) {
    return {
      verdict: Verdict.Pend,
      message: `pending: template ${t} requires approval by a certificate manager`,
      decidedBy: { rule: 'disposition.approval', field: 'template', value: t },
    };
  }
  return { verdict: Verdict.Issue, message: `issued under template ${t}`, decidedBy: { rule: 'disposition.issue', field: 'template', value: t } };
}

/** The reply's message is capped by the contract. */
function clip(s: string): string {
  return s.length > 4000 ? `${s.slice(0, 3997)}...` : s;
}
