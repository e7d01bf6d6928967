import { Attr } from '@signet/contracts';
import { denial, type CertificateDraft, type Denial, type RuleContext } from './types';

const DAY_MS = 86_400_000;

/** ValidityPeriod values AD CS accepts (EDITF_ATTRIBUTEENDDATE), lower-cased. */
export const PERIODS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
export type Period = (typeof PERIODS)[number];

export type ValidityAttributes =
  | { kind: 'none' }
  | { kind: 'ok'; period: Period; units: number }
  | { kind: 'bad'; field: string; value: string; reason: string };

/** Reads ValidityPeriod + ValidityPeriodUnits; both or neither. */
export function parseValidityAttributes(attrs: Record<string, string>): ValidityAttributes {
  const period = attrs[Attr.ValidityPeriod]?.trim();
  const units = attrs[Attr.ValidityPeriodUnits]?.trim();
  if (!period && !units) return { kind: 'none' };
  if (!period) return { kind: 'bad', field: 'ValidityPeriod', value: '', reason: 'ValidityPeriodUnits is set but ValidityPeriod is missing' };
  if (!units) return { kind: 'bad', field: 'ValidityPeriodUnits', value: '', reason: 'ValidityPeriod is set but ValidityPeriodUnits is missing' };
  const p = period.toLowerCase() as Period;
  if (!PERIODS.includes(p)) {
    return { kind: 'bad', field: 'ValidityPeriod', value: period, reason: `ValidityPeriod must be one of ${PERIODS.join(', ')}` };
  }
  if (!/^[1-9][0-9]{0,6}$/.test(units)) {
    return { kind: 'bad', field: 'ValidityPeriodUnits', value: units, reason: 'ValidityPeriodUnits must be a whole number from 1 to 9999999' };
  }
  return { kind: 'ok', period: p, units: Number(units) };
}

/** `from` plus a period; months and years are calendar steps (as AD CS does), in UTC. */
export function addPeriod(from: Date, period: Period, units: number): Date {
  const d = new Date(from.getTime());
  switch (period) {
    case 'seconds':
      return new Date(d.getTime() + units * 1000);
    case 'minutes':
      return new Date(d.getTime() + units * 60_000);
    case 'hours':
      return new Date(d.getTime() + units * 3_600_000);
    case 'days':
      return new Date(d.getTime() + units * DAY_MS);
    case 'weeks':
      return new Date(d.getTime() + units * 7 * DAY_MS);
    case 'months':
      d.setUTCMonth(d.getUTCMonth() + units);
      return d;
    case 'years':
      d.setUTCFullYear(d.getUTCFullYear() + units);
      return d;
  }
}

/**
 * Rule `validity.attribute`: when the template honours the ValidityPeriod
 * attributes, they must be well-formed and ask for no more than
 * maxValidityDays. Asking for more is refused rather than cut short, so the
 * requester learns the limit instead of getting a surprise expiry date.
 */
export function checkValidityAttribute(ctx: RuleContext): Denial[] {
  if (!ctx.template.allowValidityAttribute) return [];
  const v = parseValidityAttributes(ctx.request.request.attributes);
  if (v.kind === 'none') return [];
  if (v.kind === 'bad') return [denial('validity.attribute', v.field, v.value, v.reason)];
  const notBefore = new Date(ctx.request.certificate.notBefore);
  const max = ctx.template.maxValidityDays ?? ctx.template.validityDays;
  if (addPeriod(notBefore, v.period, v.units).getTime() > notBefore.getTime() + max * DAY_MS) {
    return [
      denial('validity.attribute', 'ValidityPeriodUnits', `${v.units} ${v.period}`, `requested validity of ${v.units} ${v.period} exceeds the ${max} days template ${ctx.templateName} allows`),
    ];
  }
  return [];
}

/**
 * Modifier: notBefore stays as proposed; notAfter = min(proposed notAfter,
 * notBefore + the template's validity, or the honoured attribute's). The
 * proposed notAfter is the CA's maximum, and ca-core only lets it narrow.
 */
export function setValidity(ctx: RuleContext, draft: CertificateDraft): void {
  const notBefore = new Date(ctx.request.certificate.notBefore);
  const proposed = new Date(ctx.request.certificate.notAfter);
  let target = new Date(notBefore.getTime() + ctx.template.validityDays * DAY_MS);
  if (ctx.template.allowValidityAttribute) {
    const v = parseValidityAttributes(ctx.request.request.attributes);
    if (v.kind === 'ok') target = addPeriod(notBefore, v.period, v.units);
  }
  draft.notAfter = (target.getTime() < proposed.getTime() ? target : proposed).toISOString();
}
