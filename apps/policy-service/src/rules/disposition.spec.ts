import { policyFrom, ruleContext, shippedPolicy } from '../testing/fixtures';
import { checkDispositionAttribute, decide, readDispositionAttribute, type DecisionInput } from './disposition';
import { denial } from './types';

const base: DecisionInput = {
  denials: [],
  holds: [],
  newRequest: true,
  policy: { dispositionMode: 'template', honourDispositionAttribute: false },
  templateName: 'WebServer',
  requiresApproval: false,
  dispositionAttribute: 'none',
};
const pendAll = { dispositionMode: 'pend-all', honourDispositionAttribute: false } as const;
const honour = { dispositionMode: 'template', honourDispositionAttribute: true } as const;
const tooSmall = denial('key.size', 'publicKey.bits', '1024', 'too small');
const unproven = denial('names.unproven', 'subjectAltName.dns', 'api.example.com', 'DNS name api.example.com is not proven');

describe('the disposition decision (runs last)', () => {
  it.each<[string, Partial<DecisionInput>, string, string]>([
    ['ok/template mode issues', {}, 'issue', 'disposition.issue'],
    ['ok/template mode pends a template that requires approval', { requiresApproval: true }, 'pend', 'disposition.approval'],
    ['ok/an approved resubmit issues', { requiresApproval: true, newRequest: false }, 'issue', 'disposition.approved'],
    ['ok/pend-all pends every new request', { policy: pendAll }, 'pend', 'disposition.pend-all'],
    ['ok/pend-all issues a resubmit', { policy: pendAll, newRequest: false }, 'issue', 'disposition.approved'],
    ['ok/honoured Disposition: pending pends', { policy: honour, dispositionAttribute: 'pending' }, 'pend', 'disposition.attribute'],
    ['ok/Disposition: pending is satisfied by the approval', { policy: honour, dispositionAttribute: 'pending', newRequest: false }, 'issue', 'disposition.approved'],
    ['ok/Disposition: pending ignored unless honoured', { dispositionAttribute: 'pending' }, 'issue', 'disposition.issue'],
    ['ok/a hold pends, named by it', { holds: [unproven] }, 'pend', 'names.unproven'],
    ['ok/a hold comes before the template\'s approval', { holds: [unproven], requiresApproval: true }, 'pend', 'names.unproven'],
    ['ok/a hold is satisfied by the approval', { holds: [unproven], newRequest: false }, 'issue', 'disposition.approved'],
    ['fail/a denial beats a hold', { denials: [tooSmall], holds: [unproven] }, 'deny', 'key.size'],
    ['fail/a denial denies', { denials: [tooSmall] }, 'deny', 'key.size'],
    ['fail/a denial denies an approved resubmit too', { denials: [tooSmall], newRequest: false }, 'deny', 'key.size'],
    ['fail/a denial beats pend-all', { denials: [tooSmall], policy: pendAll }, 'deny', 'key.size'],
  ])('%s', (_n, change, verdict, rule) => {
    const d = decide({ ...base, ...change });
    expect(d.verdict).toBe(verdict);
    expect(d.decidedBy.rule).toBe(rule);
  });

  it('a denial names rule, field and value; later ones are listed in the message', () => {
    const d = decide({ ...base, denials: [tooSmall, denial('san.dns', 'subjectAltName.dns', 'evil.test', 'DNS name evil.test is bad')] });
    expect(d.decidedBy).toEqual({ rule: 'key.size', field: 'publicKey.bits', value: '1024' });
    expect(d.message).toBe('too small (and 1 more: DNS name evil.test is bad)');
  });

  it('keeps the message inside the contract limit', () => {
    const many = Array.from({ length: 100 }, (_, i) => denial('san.dns', 'f', `v${i}`, 'x'.repeat(100)));
    expect(decide({ ...base, denials: many }).message.length).toBeLessThanOrEqual(4096);
  });
});

describe('rule disposition.attribute', () => {
  it.each([
    ['ok/absent', {}, 'none'],
    ['ok/pending', { disposition: 'Pending' }, 'pending'],
    ['ok/deny', { disposition: 'deny' }, 'deny'],
    ['fail/issue is not a stricter value', { disposition: 'issue' }, { invalid: 'issue' }],
  ])('read %s', (_n, attrs, expected) => {
    expect(readDispositionAttribute(attrs)).toEqual(expected);
  });

  const honoured = policyFrom({ ...structuredClone(shippedPolicy()), honourDispositionAttribute: true } as never);
  const check = (policy: typeof honoured, disposition: string) =>
    checkDispositionAttribute(ruleContext(policy, 'WebServer', { attributes: { certificatetemplate: 'WebServer', disposition } }));

  it.each([
    ['ok/pending is not a denial (the decision pends)', 'pending', []],
    ['fail/deny denies', 'deny', ['disposition.attribute Disposition deny']],
    ['fail/anything else is refused', 'issue', ['disposition.attribute Disposition issue']],
  ])('%s', (_n, value, expected) => {
    expect(check(honoured, value).map((d) => `${d.rule} ${d.field} ${d.value}`)).toEqual(expected);
  });

  it('ok/ignored entirely when not honoured', () => {
    expect(check(shippedPolicy(), 'deny')).toEqual([]);
  });
});
