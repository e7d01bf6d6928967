import { type CaRecord } from '@signet/contracts';
import { chooseDefaultCa } from './default-ca';

function ca(name: string, isDefault = false): CaRecord {
  return {
    name,
    config: `host\\${name}`,
    commonName: name,
    sanitizedName: name,
    description: '',
    status: 'online',
    isDefault,
    certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
    notAfter: '2030-01-01T00:00:00Z',
    policy: null,
  };
}

describe('chooseDefaultCa (CC_DEFAULTCONFIG)', () => {
  it.each([
    ['ok/configured wins over a declared default', [ca('a'), ca('b', true)], 'c', { name: 'c', source: 'configured' }],
    ['ok/declared default', [ca('a'), ca('b', true)], undefined, { name: 'b', source: 'declared' }],
    ['ok/first declared by name when several declare', [ca('z', true), ca('m', true)], undefined, { name: 'm', source: 'declared' }],
    ['ok/first by name otherwise', [ca('zeta'), ca('alpha')], undefined, { name: 'alpha', source: 'first' }],
    ['ok/nothing found', [], undefined, undefined],
  ])('%s', (_n, cas, configured, expected) => {
    expect(chooseDefaultCa(cas, configured)).toEqual(expected);
  });
});
