/** What the scheduler knows about the newest CRLs of a CA. */
export interface CrlTimes {
  thisUpdate: Date;
  nextUpdate: Date;
}

export interface SchedulePeriods {
  /** 0 = no scheduled base CRLs. */
  basePeriodMs: number;
  /** 0 = no scheduled delta CRLs. */
  deltaPeriodMs: number;
}

export type DueCrl = 'base' | 'delta' | null;

/**
 * Which CRL a scheduled run should issue now (pure; `now` comes in).
 *  - base: scheduling is on and there is none yet, or the period since the
 *    last one has passed, or the last one has expired (never leave relying
 *    parties with an expired CRL while the schedule is on);
 *  - delta: delta scheduling is on, a base exists, and the period since
 *    the newest CRL of either kind has passed (a fresh base makes the
 *    current delta redundant).
 * A base wins when both are due: a delta on an outdated base helps nobody.
 */
export function dueCrl(now: Date, p: SchedulePeriods, base?: CrlTimes, delta?: CrlTimes): DueCrl {
  const t = now.getTime();
  if (p.basePeriodMs > 0) {
    if (!base) return 'base';
    if (t >= base.thisUpdate.getTime() + p.basePeriodMs || t >= base.nextUpdate.getTime()) return 'base';
  }
  if (p.deltaPeriodMs > 0 && base) {
    const newest = Math.max(base.thisUpdate.getTime(), delta?.thisUpdate.getTime() ?? 0);
    if (t >= newest + p.deltaPeriodMs) return 'delta';
  }
  return null;
}

/** How often the scheduler looks: a quarter of the shortest period, between 1 s and 60 s. */
export function tickInterval(p: SchedulePeriods): number {
  const periods = [p.basePeriodMs, p.deltaPeriodMs].filter((x) => x > 0);
  if (periods.length === 0) return 60_000;
  return Math.min(60_000, Math.max(1_000, Math.floor(Math.min(...periods) / 4)));
}
