import { sanitizeCaName } from './sanitize';

describe('sanitizeCaName', () => {
  it.each([
    ['Signet Root CA', 'Signet Root CA'],
    ['A#B', 'A!0023B'],
    ['x/y\\z', 'x!002fy!005cz'],
    ['Müller CA', 'M!00fcller CA'],
    ['a!b', 'a!0021b'],
    ['(Test)', '!0028Test!0029'],
  ])('ok/%s → %s', (input, expected) => {
    expect(sanitizeCaName(input)).toBe(expected);
  });
});
