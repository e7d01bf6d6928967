/** ACME object states (RFC 8555 7.1.6) and the transitions that are pure logic. */
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AuthzStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/**
 * A pending order's next state from its authorisations: ready once every
 * one is valid, invalid as soon as one is anything but pending or valid,
 * else still pending.
 */
export function orderStatusFrom(authzs: AuthzStatus[]): 'pending' | 'ready' | 'invalid' {
  if (authzs.some((s) => s !== 'pending' && s !== 'valid')) return 'invalid';
  if (authzs.length > 0 && authzs.every((s) => s === 'valid')) return 'ready';
  return 'pending';
}
