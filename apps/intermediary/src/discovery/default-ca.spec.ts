import { caRecord } from '../../test/ca-record';
import { chooseDefaultCa } from './default-ca';

const ca = (name: string, isDefault = false) => caRecord(name, { isDefault });

describe('chooseDefaultCa (CC_DEFAULTCONFIG)', () => {
  it.each([
    ['ok/configured wins over a declared default', [ca('a'), ca('b', true)], 'c', { name: 'c', source: 'configured' }],
    ['ok/configured wins over several CAs', [ca('a'), ca('b')], 'b', { name: 'b', source: 'configured' }],
    ['ok/declared default', [ca('a'), ca('b', true)], undefined, { name: 'b', source: 'declared' }],
    ['ok/the only CA on the bus', [ca('solo')], undefined, { name: 'solo', source: 'first' }],
    ['fail/several CAs, none declared: no default, every CA listed by name', [ca('zeta'), ca('alpha'), ca('mid')], undefined, { reason: 'several', candidates: ['alpha', 'mid', 'zeta'] }],
    ['fail/several declare: no default, the declaring CAs listed', [ca('z', true), ca('a'), ca('m', true)], undefined, { reason: 'several-declared', candidates: ['m', 'z'] }],
    ['ok/nothing found', [], undefined, undefined],
  ])('%s', (_n, cas, configured, expected) => {
    expect(chooseDefaultCa(cas, configured)).toEqual(expected);
  });
});
