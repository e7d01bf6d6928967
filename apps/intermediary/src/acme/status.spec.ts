import { orderStatusFrom, type AuthzStatus } from './status';

describe('orderStatusFrom: a pending order follows its authorisations (RFC 8555 7.1.6)', () => {
  it.each<[string, AuthzStatus[], string]>([
    ['ok/all valid → ready', ['valid', 'valid'], 'ready'],
    ['ok/some still pending → pending', ['valid', 'pending'], 'pending'],
    ['ok/none yet → pending', [], 'pending'],
    ['fail/one invalid → invalid', ['valid', 'invalid'], 'invalid'],
    ['fail/one deactivated → invalid', ['pending', 'deactivated'], 'invalid'],
    ['fail/one expired → invalid', ['expired'], 'invalid'],
  ])('%s', (_n, authzs, want) => {
    expect(orderStatusFrom(authzs)).toBe(want);
  });
});
