import { AssertionError, verifyAssertion, type VerifyKeys } from '@signet/assertions';
import {
  ANONYMOUS_IDENTITY,
  ErrorCode,
  FRONT_DOORS,
  IDENTITY_ASSERTION_TYPE,
  identityAudience,
  RetrieveIdentityClaimsSchema,
  RevokeIdentityClaimsSchema,
  SignetError,
  submitDigest,
  SubmitIdentityClaimsSchema,
  type EnrolleeRevokeRequestParsed,
  type Identity,
  type RetrieveRequestParsed,
  type RevocationProof,
  type SubmitRequestParsed,
} from '@signet/contracts';
import { type z } from 'zod';

/**
 * Why ca-core refused an identity assertion: `details.reason` of the
 * UNAUTHORIZED answer. The assertion itself is never echoed or logged.
 */
export type RefusalReason =
  | AssertionError['reason']
  | 'no-front-door-keys'
  | 'wrong-purpose'
  | 'request-mismatch'
  | 'attributes-mismatch'
  | 'idempotency-key-mismatch'
  | 'request-id-mismatch'
  | 'revocation-mismatch'
  | 'not-assertable';

function refused(reason: RefusalReason, why: string): SignetError {
  return new SignetError(ErrorCode.Unauthorized, `identity assertion refused: ${why}`, { reason });
}

export interface VerifyContext {
  ca: string;
  /** The front doors' public keys; undefined when this CA trusts none. */
  keys: VerifyKeys | undefined;
  /** For tests; otherwise now (the front door signed with its real clock). */
  now?: Date;
}

/**
 * The signature, type, audience and issuer of an assertion, and its claims
 * in the shape `schema` gives. Anything else is UNAUTHORIZED.
 */
async function verified<S extends z.ZodType>(ctx: VerifyContext, jws: string, purpose: 'submit' | 'retrieve' | 'revoke', schema: S): Promise<{ claims: z.output<S>; issuer: string }> {
  if (!ctx.keys) throw refused('no-front-door-keys', 'this CA trusts no front-door key (SIGNET_FRONT_DOOR_KEYS)');
  let payload;
  try {
    payload = await verifyAssertion(ctx.keys, jws, { audience: identityAudience(ctx.ca), type: IDENTITY_ASSERTION_TYPE, issuers: FRONT_DOORS, ...(ctx.now ? { now: ctx.now } : {}) });
  } catch (e) {
    if (e instanceof AssertionError) throw refused(e.reason, e.message);
    throw e;
  }
  // A submit's assertion never reads a request back, nor the other way round.
  if (payload.purpose !== purpose) throw refused('wrong-purpose', `it was not signed for a ${purpose}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw refused('bad-claims', 'it does not carry a valid identity');
  return { claims: parsed.data, issuer: payload.iss as string };
}

/**
 * What a front door may assert: never a bus identity (that comes from the
 * subject alone), and `service` only for itself.
 */
function checkAssertable(identity: Identity, issuer: string): Identity {
  if (identity.method === 'bus') throw refused('not-assertable', 'a front door cannot assert a bus identity');
  if (identity.method === 'service' && identity.principal !== issuer) {
    throw refused('not-assertable', `front door ${issuer} may assert method service only for itself`);
  }
  return identity;
}

/**
 * The identity of a submit from a front door (ADR 0026): anonymous without
 * an assertion; with one, the identity it signed, once signature, type,
 * audience, issuer and lifetime hold and it was signed for exactly this
 * message: the same request string, attribute string and idempotency key.
 */
export async function submitterIdentity(ctx: VerifyContext, req: SubmitRequestParsed): Promise<Identity> {
  if (req.identityAssertion === undefined) return ANONYMOUS_IDENTITY;
  const { claims, issuer } = await verified(ctx, req.identityAssertion, 'submit', SubmitIdentityClaimsSchema);
  if (claims.requestSha256 !== submitDigest(req.request)) throw refused('request-mismatch', 'it was signed for another certificate request');
  if (claims.attributesSha256 !== submitDigest(req.attributes)) throw refused('attributes-mismatch', 'it was signed for other request attributes');
  if (claims.idempotencyKey !== req.idempotencyKey) throw refused('idempotency-key-mismatch', 'it was signed for another idempotency key');
  return checkAssertable(claims.identity, issuer);
}

/** The identity of a retrieve: anonymous without an assertion; else the identity signed for this request id. */
export async function retrieverIdentity(ctx: VerifyContext, req: RetrieveRequestParsed): Promise<Identity> {
  if (req.identityAssertion === undefined) return ANONYMOUS_IDENTITY;
  const { claims, issuer } = await verified(ctx, req.identityAssertion, 'retrieve', RetrieveIdentityClaimsSchema);
  if (claims.requestId !== req.requestId) throw refused('request-id-mismatch', 'it was signed for another request');
  return checkAssertable(claims.identity, issuer);
}

/**
 * Who revokes, and how they showed the right to (ADR 0035): only with an
 * assertion signed for exactly this serial and reason. The certificate's
 * hash in it is checked against the stored certificate by the caller.
 */
export async function revokerIdentity(ctx: VerifyContext, req: EnrolleeRevokeRequestParsed): Promise<{ identity: Identity; proof: RevocationProof; certificateSha256: string }> {
  const { claims, issuer } = await verified(ctx, req.identityAssertion, 'revoke', RevokeIdentityClaimsSchema);
  if (claims.serial !== req.serial || claims.reason !== req.reason) throw refused('revocation-mismatch', 'it was signed for another serial or reason');
  return { identity: checkAssertable(claims.identity, issuer), proof: claims.proof, certificateSha256: claims.certificateSha256 };
}

/** A bus submitter is its NATS user: the broker let it publish on its own subject only. */
export function busIdentity(user: string): Identity {
  return { method: 'bus', principal: user, names: [], groups: [], evidence: {} };
}
