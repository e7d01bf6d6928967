import { dueCrl, tickInterval, type CrlTimes } from './crl-schedule';

const H = 3_600_000;
const M = 60_000;
const T0 = new Date('2026-11-25T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const crl = (thisMs: number, validMs: number): CrlTimes => ({ thisUpdate: at(thisMs), nextUpdate: at(thisMs + validMs) });

describe('dueCrl', () => {
  const both = { basePeriodMs: 24 * H, deltaPeriodMs: 60 * M };
  it.each<[string, Parameters<typeof dueCrl>, ReturnType<typeof dueCrl>]>([
    ['ok/first base when none exists', [at(0), both], 'base'],
    ['ok/nothing right after a base', [at(10 * M), both, crl(0, 36 * H)], null],
    ['ok/delta one period after the base', [at(60 * M), both, crl(0, 36 * H)], 'delta'],
    ['ok/no delta one period after the last delta', [at(90 * M), both, crl(0, 36 * H), crl(60 * M, 90 * M)], null],
    ['ok/next delta one period after the last delta', [at(120 * M), both, crl(0, 36 * H), crl(60 * M, 90 * M)], 'delta'],
    ['ok/base after its period, even with a delta due', [at(24 * H), both, crl(0, 36 * H), crl(22 * H, 90 * M)], 'base'],
    ['ok/a delta older than the new base does not count', [at(24 * H + 10 * M), both, crl(24 * H, 36 * H), crl(23 * H, 90 * M)], null],
    ['ok/base when the last one expired early (validity shorter than period is refused in config, but a manual one may be short)', [at(5 * H), { basePeriodMs: 24 * H, deltaPeriodMs: 0 }, crl(0, 4 * H)], 'base'],
    ['ok/schedule off: never', [at(100 * H), { basePeriodMs: 0, deltaPeriodMs: 0 }, crl(0, 4 * H)], null],
    ['ok/schedule off: not even a first base', [at(0), { basePeriodMs: 0, deltaPeriodMs: 0 }], null],
    ['ok/deltas only need a base first (made on demand)', [at(0), { basePeriodMs: 0, deltaPeriodMs: 60 * M }], null],
    ['ok/deltas only, on a manual base', [at(60 * M), { basePeriodMs: 0, deltaPeriodMs: 60 * M }, crl(0, 48 * H)], 'delta'],
  ])('%s', (_n, args, expected) => expect(dueCrl(...args)).toBe(expected));
});

describe('tickInterval', () => {
  it.each([
    ['ok/default minute when nothing is scheduled', 0, 0, 60_000],
    ['ok/capped at a minute', 24 * H, 0, 60_000],
    ['ok/a quarter of the delta period', 24 * H, 2 * M, 30_000],
    ['ok/at least a second', 0, 1 * M, 15_000],
  ])('%s', (_n, b, d, ms) => expect(tickInterval({ basePeriodMs: b as number, deltaPeriodMs: d as number })).toBe(ms));
});
