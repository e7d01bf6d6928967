import { AdminAssertion, AdminAssertionClaimsSchema, type Actor } from '@signet/contracts';
import { createHash, randomBytes } from 'node:crypto';
import { AssertionError, signAssertion, verifyAssertion, type SigningKey, type VerifyKeys } from './assertions';

/**
 * Admin assertions (ADR 0028): what admin-api signs for each admin command
 * it sends, and what ca-core and exit-service check before they believe who
 * is acting. The
 * wire format (header, type, issuer, audience, claims) is in
 * `@signet/contracts` (`AdminAssertion`); this is its one implementation.
 */

/** SHA-256 of a message body exactly as it is published, base64url: the `body` claim. */
export function bodySha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

export interface AdminAssertionInput {
  ca: string;
  /** Who may act on it; ca-core's (`AdminAssertion.audience(ca)`) when absent. */
  audience?: string;
  /** The command's logical name (`Commands.<x>.name`). */
  command: string;
  /** The message body bytes that will be published. */
  body: Uint8Array;
  /** Who was authenticated; omitted only for `ca.admin.authenticate`. */
  actor?: Actor;
  ttlSeconds?: number;
  now?: Date;
}

export function signAdminAssertion(key: SigningKey, a: AdminAssertionInput): Promise<string> {
  const claims = {
    cmd: a.command,
    body: bodySha256(a.body),
    ...(a.actor ? { actor: { name: a.actor.name, roles: [...a.actor.roles] } } : {}),
    jti: randomBytes(12).toString('base64url'),
  };
  return signAssertion(key, claims, {
    issuer: AdminAssertion.issuer,
    audience: a.audience ?? AdminAssertion.audience(a.ca),
    type: AdminAssertion.type,
    ttlSeconds: a.ttlSeconds ?? AdminAssertion.ttlSeconds,
    now: a.now,
  });
}

export interface VerifiedAdminAssertion {
  actor?: Actor;
  /** The assertion's id: a receiver that keeps the ids it accepted until `expiresAt` refuses a replay. */
  jti: string;
  expiresAt: Date;
}

/**
 * Verifies an admin assertion for this CA (and audience: ca-core's when
 * absent), this command and these body bytes; throws AssertionError naming
 * why not (never echoing the assertion).
 */
export async function verifyAdminAssertion(
  keys: VerifyKeys,
  jwt: string | undefined,
  expected: { ca: string; audience?: string; command: string; body: Uint8Array; now?: Date },
): Promise<VerifiedAdminAssertion> {
  if (!jwt) throw new AssertionError('malformed', 'no admin assertion');
  const payload = await verifyAssertion(keys, jwt, {
    audience: expected.audience ?? AdminAssertion.audience(expected.ca),
    type: AdminAssertion.type,
    issuers: [AdminAssertion.issuer],
    now: expected.now,
  });
  if ((payload.exp as number) - (payload.iat as number) > AdminAssertion.maxTtlSeconds) {
    throw new AssertionError('bad-claims', `assertion lives longer than ${AdminAssertion.maxTtlSeconds} s`);
  }
  const claims = AdminAssertionClaimsSchema.safeParse(payload);
  if (!claims.success) throw new AssertionError('bad-claims', 'assertion claims are not those of an admin assertion');
  if (claims.data.cmd !== expected.command) throw new AssertionError('wrong-command', 'assertion is for another command');
  if (claims.data.body !== bodySha256(expected.body)) throw new AssertionError('wrong-body', 'assertion is for another message body');
  return { actor: claims.data.actor, jti: claims.data.jti, expiresAt: new Date((payload.exp as number) * 1000) };
}
