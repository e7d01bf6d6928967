import { randomBytes } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { type JWK } from 'jose';
import { type ProblemDocument } from './problem';
import { type AuthzStatus, type ChallengeStatus, type OrderStatus } from './status';
import { type ChallengeType } from './validation/challenge-validator';

/** The rows of the ACME tables (schema `acme`) as the store hands them out, and their mapping from pg. */

export interface Identifier {
  type: 'dns' | 'ip';
  value: string;
}

export interface AccountRow {
  id: string;
  jwk: JWK;
  thumbprint: string;
  status: 'valid' | 'deactivated' | 'revoked';
  contact: string[];
  tosAgreed: boolean;
  eabKid: string | null;
  createdAt: Date;
}

export interface OrderRow {
  id: string;
  accountId: string;
  status: OrderStatus;
  profile: string;
  template: string;
  identifiers: Identifier[];
  expiresAt: Date;
  notBefore: Date | null;
  notAfter: Date | null;
  error: ProblemDocument | null;
  ca: string | null;
  requestId: number | null;
  retrievalSecret: string | null;
  certificate: string | null;
  serial: string | null;
  replaces: string | null;
}

export interface AuthzRow {
  id: string;
  orderId: string;
  accountId: string;
  identifier: Identifier;
  wildcard: boolean;
  status: AuthzStatus;
  expiresAt: Date;
}

export interface ChallengeRow {
  id: string;
  authorizationId: string;
  type: ChallengeType;
  token: string;
  status: ChallengeStatus;
  validatedAt: Date | null;
  error: ProblemDocument | null;
}

/** How many events a window holds, and how long until the oldest of them leaves it. */
export interface WindowCount {
  count: number;
  retryAfterSeconds: number;
}

export interface NewAuthz {
  identifier: Identifier;
  wildcard: boolean;
  challenges: ChallengeType[];
}

/** An unguessable id or token: 128 bits, base64url (RFC 8555 8.1 asks at least 128 bits for tokens). */
export const newId = (): string => randomBytes(16).toString('base64url');

/* eslint-disable @typescript-eslint/no-explicit-any -- rows come back from pg untyped; each is mapped once below */
export const account = (r: any): AccountRow => ({ id: r.id, jwk: r.jwk, thumbprint: r.thumbprint, status: r.status, contact: r.contact, tosAgreed: r.tos_agreed, eabKid: r.eab_kid, createdAt: r.created_at });
export const order = (r: any): OrderRow => ({
  id: r.id,
  accountId: r.account_id,
  status: r.status,
  profile: r.profile,
  template: r.template,
  identifiers: r.identifiers,
  expiresAt: r.expires_at,
  notBefore: r.not_before,
  notAfter: r.not_after,
  error: r.error,
  ca: r.ca,
  requestId: r.request_id === null ? null : Number(r.request_id),
  retrievalSecret: r.retrieval_secret,
  certificate: r.certificate,
  serial: r.serial,
  replaces: r.replaces,
});
export const authz = (r: any): AuthzRow => ({ id: r.id, orderId: r.order_id, accountId: r.account_id, identifier: { type: r.identifier_type, value: r.identifier_value }, wildcard: r.wildcard, status: r.status, expiresAt: r.expires_at });
export const challenge = (r: any): ChallengeRow => ({ id: r.id, authorizationId: r.authorization_id, type: r.type, token: r.token, status: r.status, validatedAt: r.validated_at, error: r.error });

/** The rows an UPDATE or DELETE ... RETURNING changed (TypeORM answers those two with [rows, count] on PostgreSQL). */
export async function changed(q: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<any[]> {
  const [rows] = (await q.query(sql, params)) as [any[], number];
  return rows;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

