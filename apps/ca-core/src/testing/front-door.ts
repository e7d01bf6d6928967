import { signAssertion, type SigningKey } from '@signet/assertions';
import {
  IDENTITY_ASSERTION_TTL_SECONDS,
  IDENTITY_ASSERTION_TYPE,
  identityAudience,
  submitDigest,
  type IdentityInput,
  type RevocationProof,
  type SubmitRequest,
} from '@signet/contracts';

/**
 * Test-only: what the intermediary signs (ADR 0026), with every part open
 * to change so a spec can forge each one in turn.
 */
export interface SignOverrides {
  issuer?: string;
  audience?: string;
  type?: string;
  ttlSeconds?: number;
  now?: Date;
  /** Claims replacing the ones computed from the message. */
  claims?: Record<string, unknown>;
}

export function signSubmitAssertion(key: SigningKey, ca: string, identity: IdentityInput, msg: SubmitRequest, o: SignOverrides = {}): Promise<string> {
  const claims = {
    purpose: 'submit',
    identity,
    requestSha256: submitDigest(msg.request),
    attributesSha256: submitDigest(msg.attributes ?? ''),
    ...(msg.idempotencyKey !== undefined ? { idempotencyKey: msg.idempotencyKey } : {}),
    ...o.claims,
  };
  return sign(key, ca, claims, o);
}

export function signRetrieveAssertion(key: SigningKey, ca: string, identity: IdentityInput, requestId: number, o: SignOverrides = {}): Promise<string> {
  return sign(key, ca, { purpose: 'retrieve', identity, requestId, ...o.claims }, o);
}

function sign(key: SigningKey, ca: string, claims: Record<string, unknown>, o: SignOverrides): Promise<string> {
  return signAssertion(key, claims, {
    issuer: o.issuer ?? 'intermediary',
    audience: o.audience ?? identityAudience(ca),
    type: o.type ?? IDENTITY_ASSERTION_TYPE,
    ttlSeconds: o.ttlSeconds ?? IDENTITY_ASSERTION_TTL_SECONDS,
    ...(o.now ? { now: o.now } : {}),
  });
}

export function signRevokeAssertion(
  key: SigningKey,
  ca: string,
  identity: IdentityInput,
  r: { serial: string; reason: number; proof: RevocationProof; certificateSha256: string },
  o: SignOverrides = {},
): Promise<string> {
  return sign(key, ca, { purpose: 'revoke', identity, ...r, ...o.claims }, o);
}
