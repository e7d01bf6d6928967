import { ANONYMOUS_IDENTITY, ErrorCode, SignetError, type Identity, type IdentityMethod } from '@signet/contracts';
import { FailureLimiter, type HttpRequest } from '@signet/http';
import { type Authenticator } from './authenticator';
import { EnrolleeAuth } from './enrollee-auth';

const req = {} as HttpRequest;

/** An authenticator that answers what it is told, and counts how often it was asked. */
function fake(method: IdentityMethod, answer: () => Identity | undefined): Authenticator & { asked: number } {
  return {
    method,
    asked: 0,
    async authenticate() {
      this.asked++;
      return answer();
    },
  };
}
const identity = (method: IdentityMethod, principal: string): Identity => ({ method, principal, names: [], groups: [], evidence: {} });
const refuse = () => {
  throw new SignetError(ErrorCode.Unauthorized, 'enrollment token refused: expired', { reason: 'expired' });
};

describe('EnrolleeAuth (ADR 0026)', () => {
  it('ok/none configured: anonymous', async () => {
    expect(await new EnrolleeAuth([]).identify(req)).toBe(ANONYMOUS_IDENTITY);
  });

  it('ok/none applies (no credential of their kind): anonymous, each asked once', async () => {
    const a = fake('enrollment-token', () => undefined);
    const b = fake('oidc', () => undefined);
    expect(await new EnrolleeAuth([a, b]).identify(req)).toBe(ANONYMOUS_IDENTITY);
    expect([a.asked, b.asked]).toEqual([1, 1]);
  });

  it('ok/the first identity wins, in the configured order; later ones are not asked', async () => {
    const none = fake('tls-client-certificate', () => undefined);
    const token = fake('enrollment-token', () => identity('enrollment-token', 'alice'));
    const oidc = fake('oidc', () => identity('oidc', 'https://idp|bob'));
    expect(await new EnrolleeAuth([none, token, oidc]).identify(req)).toEqual(identity('enrollment-token', 'alice'));
    expect(oidc.asked).toBe(0);
  });

  it('ok/fills the contract\'s defaults of what an authenticator left out', async () => {
    const partial = fake('enrollment-secret', () => ({ method: 'enrollment-secret', principal: 's-1' }) as Identity);
    expect(await new EnrolleeAuth([partial]).identify(req)).toEqual(identity('enrollment-secret', 's-1'));
  });

  it('fail/a credential presented that does not hold is UNAUTHORIZED, never anonymous, and stops the chain', async () => {
    const bad = fake('enrollment-token', refuse);
    const later = fake('oidc', () => identity('oidc', 'someone'));
    const err = await new EnrolleeAuth([bad, later]).identify(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignetError);
    expect(err).toMatchObject({ code: ErrorCode.Unauthorized, details: { reason: 'expired' } });
    expect(later.asked).toBe(0);
  });

  it('fail/an authenticator whose identity breaks the contract is an internal fault, not the caller\'s identity', async () => {
    const broken = fake('oidc', () => ({ method: 'oidc', principal: 'eve\nadmin', names: [], groups: [], evidence: {} }));
    await expect(new EnrolleeAuth([broken]).identify(req)).rejects.toMatchObject({ code: ErrorCode.Internal, message: 'internal error' });
  });

  describe('refused credentials are counted per source (SIGNET_AUTH_FAILURE_*)', () => {
    const from = (ip: string, authorization?: string) => ({ ip, headers: authorization ? { authorization } : {} }) as unknown as HttpRequest;
    const limiter = () => new FailureLimiter({ limit: 3, windowMs: 60_000, maxSources: 100 });

    it('fail/after the limit, a source presenting any credential gets 429 unchecked; another source and anonymous callers do not', async () => {
      const token = fake('enrollment-token', refuse);
      const auth = new EnrolleeAuth([token], limiter());
      for (let i = 0; i < 3; i++) await expect(auth.identify(from('192.0.2.7', 'Bearer x.y.z'))).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
      await expect(auth.identify(from('192.0.2.7', 'Bearer x.y.z'))).rejects.toMatchObject({ code: ErrorCode.RateLimited, details: { retryAfterSeconds: expect.any(Number) } });
      expect(token.asked).toBe(3);
      // Another address is not held back by this one's failures.
      await expect(auth.identify(from('198.51.100.1', 'Bearer x.y.z'))).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
      // Without a credential there is nothing to guess: the same address is still served, as anonymous.
      const open = new EnrolleeAuth([fake('enrollment-token', () => undefined)], (auth as unknown as { failures: FailureLimiter }).failures);
      expect(await open.identify(from('192.0.2.7'))).toBe(ANONYMOUS_IDENTITY);
    });

    it('ok/an enrollment secret\'s refusals are left to its authenticator (it counts them itself), not counted twice', async () => {
      const failures = limiter();
      const secret = fake('enrollment-secret', refuse);
      const auth = new EnrolleeAuth([secret], failures);
      for (let i = 0; i < 3; i++) await expect(auth.identify(from('192.0.2.8', 'Basic eDp5'))).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
      expect(() => failures.assertAllowed('192.0.2.8')).not.toThrow();
    });
  });
});

