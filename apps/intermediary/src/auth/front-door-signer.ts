import { Inject, Injectable } from '@nestjs/common';
import { signAssertion } from '@signet/assertions';
import {
  IDENTITY_ASSERTION_TTL_SECONDS,
  IDENTITY_ASSERTION_TYPE,
  identityAudience,
  submitDigest,
  type FrontDoor,
  type Identity,
  type RetrieveIdentityClaims,
  type RevokeIdentityClaims,
  type SubmitIdentityClaims,
} from '@signet/contracts';
import { CONFIG, type IntermediaryConfig } from '../config/config';

/** The issuer name this front door signs as; ca-core accepts it (FRONT_DOORS). */
export const FRONT_DOOR_NAME: FrontDoor = 'intermediary';

/**
 * Signs what this front door established (ADR 0026) with its Ed25519 key
 * (SIGNET_FRONT_DOOR_KEY): the identity, bound to one submit (its request
 * and attribute strings and idempotency key) or to one request id read
 * back, for one CA, for a minute. ca-core believes nothing else.
 */
@Injectable()
export class FrontDoorSigner {
  constructor(@Inject(CONFIG) private readonly config: IntermediaryConfig) {}

  submit(ca: string, identity: Identity, msg: { request: string; attributes: string; idempotencyKey?: string }): Promise<string> {
    const claims: SubmitIdentityClaims = {
      purpose: 'submit',
      identity,
      requestSha256: submitDigest(msg.request),
      attributesSha256: submitDigest(msg.attributes),
      ...(msg.idempotencyKey !== undefined ? { idempotencyKey: msg.idempotencyKey } : {}),
    };
    return this.sign(ca, claims);
  }

  retrieve(ca: string, identity: Identity, requestId: number): Promise<string> {
    const claims: RetrieveIdentityClaims = { purpose: 'retrieve', identity, requestId };
    return this.sign(ca, claims);
  }

  /** For an enrollee revocation (ADR 0035): this serial, reason and certificate, and how the requester showed the right. */
  revoke(ca: string, identity: Identity, r: Omit<RevokeIdentityClaims, 'purpose' | 'identity'>): Promise<string> {
    const claims: RevokeIdentityClaims = { purpose: 'revoke', identity, ...r };
    return this.sign(ca, claims);
  }

  private sign(ca: string, claims: Record<string, unknown>): Promise<string> {
    return signAssertion(this.config.frontDoorKey, claims, {
      issuer: FRONT_DOOR_NAME,
      audience: identityAudience(ca),
      type: IDENTITY_ASSERTION_TYPE,
      ttlSeconds: IDENTITY_ASSERTION_TTL_SECONDS,
    });
  }
}
