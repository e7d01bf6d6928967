import { policyFrom, ruleContext, ANYONE } from '../testing/fixtures';
import { type CertificateDraft } from './types';
import { addPeriod, checkValidityAttribute, parseValidityAttributes, setValidity } from './validity';

const policy = policyFrom({
  templates: {
    Fixed: { ...ANYONE, keys: [{ algorithm: 'ec', curves: ['P-256'] }], subject: { mode: 'request', allowed: ['CN'] }, validityDays: 90 },
    Flexible: {
      ...ANYONE,
      keys: [{ algorithm: 'ec', curves: ['P-256'] }],
      subject: { mode: 'request', allowed: ['CN'] },
      validityDays: 90,
      allowValidityAttribute: true,
      maxValidityDays: 365,
    },
  },
});

function notAfter(template: string, attributes: Record<string, string> = {}, certificate: { notBefore?: string; notAfter?: string } = {}): string | undefined {
  const draft: CertificateDraft = { extensions: new Map() };
  setValidity(ruleContext(policy, template, { attributes: { certificatetemplate: template, ...attributes }, certificate }), draft);
  return draft.notAfter;
}

describe('validity', () => {
  it.each([
    ['ok/the template days from notBefore', 'Fixed', {}, {}, '2026-04-01T00:00:00.000Z'],
    ['ok/the CA maximum when it is earlier', 'Fixed', {}, { notAfter: '2026-02-01T00:00:00.000Z' }, '2026-02-01T00:00:00.000Z'],
    ['ok/attributes ignored when not honoured', 'Fixed', { validityperiod: 'Years', validityperiodunits: '5' }, {}, '2026-04-01T00:00:00.000Z'],
    ['ok/honoured attribute, shorter', 'Flexible', { validityperiod: 'Days', validityperiodunits: '7' }, {}, '2026-01-08T00:00:00.000Z'],
    ['ok/honoured attribute, longer than the default', 'Flexible', { validityperiod: 'Months', validityperiodunits: '6' }, {}, '2026-07-01T00:00:00.000Z'],
    ['ok/honoured attribute, still capped by the CA', 'Flexible', { validityperiod: 'Weeks', validityperiodunits: '10' }, { notAfter: '2026-02-01T00:00:00.000Z' }, '2026-02-01T00:00:00.000Z'],
    ['ok/no attribute uses the template days', 'Flexible', {}, {}, '2026-04-01T00:00:00.000Z'],
  ])('%s', (_n, template, attributes, certificate, expected) => {
    expect(notAfter(template, attributes, certificate)).toBe(expected);
  });

  it('never touches notBefore', () => {
    const draft: CertificateDraft = { extensions: new Map() };
    setValidity(ruleContext(policy, 'Fixed'), draft);
    expect(Object.keys(draft)).not.toContain('notBefore');
  });

  it.each([
    ['ok/none', {}, { kind: 'none' }],
    ['ok/case-insensitive period', { validityperiod: 'YEARS', validityperiodunits: '1' }, { kind: 'ok', period: 'years', units: 1 }],
    ['fail/units missing', { validityperiod: 'Days' }, { kind: 'bad', field: 'ValidityPeriodUnits' }],
    ['fail/period missing', { validityperiodunits: '3' }, { kind: 'bad', field: 'ValidityPeriod' }],
    ['fail/unknown period', { validityperiod: 'Fortnights', validityperiodunits: '3' }, { kind: 'bad', field: 'ValidityPeriod', value: 'Fortnights' }],
    ['fail/zero units', { validityperiod: 'Days', validityperiodunits: '0' }, { kind: 'bad', field: 'ValidityPeriodUnits', value: '0' }],
    ['fail/negative units', { validityperiod: 'Days', validityperiodunits: '-5' }, { kind: 'bad', field: 'ValidityPeriodUnits' }],
  ])('parse %s', (_n, attrs, expected) => {
    expect(parseValidityAttributes(attrs)).toMatchObject(expected);
  });

  it.each([
    ['ok/at the maximum', { validityperiod: 'Days', validityperiodunits: '365' }, []],
    ['fail/beyond the maximum', { validityperiod: 'Years', validityperiodunits: '2' }, ['validity.attribute ValidityPeriodUnits 2 years']],
    ['fail/malformed', { validityperiod: 'Days', validityperiodunits: 'ten' }, ['validity.attribute ValidityPeriodUnits ten']],
  ])('rule validity.attribute %s', (_n, attrs, expected) => {
    const ctx = ruleContext(policy, 'Flexible', { attributes: { certificatetemplate: 'Flexible', ...attrs } });
    expect(checkValidityAttribute(ctx).map((d) => `${d.rule} ${d.field} ${d.value}`)).toEqual(expected);
  });

  it('rule validity.attribute is silent when the template does not honour the attributes', () => {
    const ctx = ruleContext(policy, 'Fixed', { attributes: { certificatetemplate: 'Fixed', validityperiod: 'Nonsense' } });
    expect(checkValidityAttribute(ctx)).toEqual([]);
  });

  it.each([
    ['months are calendar months', '2026-01-31T00:00:00.000Z', 'months', 1, '2026-03-03T00:00:00.000Z'],
    ['years are calendar years', '2024-02-29T12:00:00.000Z', 'years', 1, '2025-03-01T12:00:00.000Z'],
    ['hours', '2026-01-01T00:00:00.000Z', 'hours', 36, '2026-01-02T12:00:00.000Z'],
  ] as const)('addPeriod: %s', (_n, from, period, units, expected) => {
    expect(addPeriod(new Date(from), period, units).toISOString()).toBe(expected);
  });
});
