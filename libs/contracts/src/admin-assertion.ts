import { z } from 'zod';
import { assertCaName } from './ca-name';
import { ActorSchema } from './messages/admin';
import { Commands, type Command } from './subjects';

/**
 * The credential every admin command carries to ca-core (ADR 0028): a
 * compact JWS (EdDSA) that admin-api signs after it has authenticated the
 * caller, in the NATS header `Signet-Admin-Assertion`. ca-core verifies it
 * with admin-api's public keys from its own configuration and takes the
 * actor from it, never from the message.
 *
 * Binding: the assertion names the command (`cmd`, the command's logical
 * name) and the SHA-256 of the message body exactly as published (`body`,
 * base64url without padding, over the UTF-8 JSON bytes on the wire: the
 * canonical encoding is the bytes themselves, so no sender or receiver has
 * to re-serialise anything). It cannot be moved to another command, another
 * payload, or another CA (`aud` = `ca-core:<ca>`), and it lives at most
 * `maxTtlSeconds`.
 *
 * exit-service's dead-letter commands (`exit.<ca>.deadletters.*`) carry the
 * same assertion with their own audience, `exit-service:<ca>`: one signed
 * for ca-core is refused by exit-service, and the other way round.
 */
export const AdminAssertion = {
  header: 'Signet-Admin-Assertion',
  /** JWS `typ`, so no other assertion (a front door's identity) is taken for this one. */
  type: 'signet-admin+jwt',
  issuer: 'admin-api',
  /** ca-core's audience: its admin commands (`ca.<ca>.admin.>`). */
  audience: (ca: string) => `ca-core:${assertCaName(ca)}`,
  /** exit-service's audience: its dead-letter commands (`exit.<ca>.deadletters.>`). */
  exitAudience: (ca: string) => `exit-service:${assertCaName(ca)}`,
  /** What admin-api signs: long enough for a slow bus, short enough that a copy is soon worthless. */
  ttlSeconds: 30,
  /** ca-core refuses an assertion whose exp − iat is longer than this. */
  maxTtlSeconds: 60,
} as const;

/** base64url (no padding) of a SHA-256: 43 characters. */
export const Sha256Base64UrlSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256');

/** The claims beyond the registered ones (iss, aud, iat, nbf, exp, jti). */
export const AdminAssertionClaimsSchema = z.object({
  /** The command's logical name (`Commands.<x>.name`), e.g. `ca.admin.revoke`. */
  cmd: z.string().min(1).max(128),
  /** SHA-256 of the message body bytes, base64url. */
  body: Sha256Base64UrlSchema,
  /** Who admin-api authenticated. Absent only on `ca.admin.authenticate`, which is how admin-api learns it. */
  actor: ActorSchema.optional(),
  /** Random id, for the logs. */
  jti: z.string().min(1).max(64),
});
export type AdminAssertionClaims = z.infer<typeof AdminAssertionClaimsSchema>;

/** The commands served by ca-core under `ca.<ca>.admin.>`: every one needs an admin assertion. */
export function isAdminCommand(cmd: Pick<Command<z.ZodType, z.ZodType>, 'wildcard'>): boolean {
  return cmd.wildcard.startsWith('ca.*.admin.');
}

/** The names of those commands (for tests that walk them all). */
export const ADMIN_COMMAND_KEYS = (Object.keys(Commands) as (keyof typeof Commands)[]).filter((k) => isAdminCommand(Commands[k]));

/**
 * exit-service's commands that act or read on an administrator's behalf
 * (list, replay, replay-all, discard of dead letters): each needs an
 * assertion for `exit-service:<ca>`. `exit.<ca>.status` does not: it is a
 * count of events per consumer that the intermediary's readiness asks for
 * too, and names no event.
 */
export function isExitAdminCommand(cmd: Pick<Command<z.ZodType, z.ZodType>, 'wildcard'>): boolean {
  return cmd.wildcard.startsWith('exit.*.deadletters.');
}

export const EXIT_ADMIN_COMMAND_KEYS = (Object.keys(Commands) as (keyof typeof Commands)[]).filter((k) => isExitAdminCommand(Commands[k]));

/** The audience an admin assertion for this command must name, or undefined when the command takes none. */
export function adminAssertionAudience(cmd: Pick<Command<z.ZodType, z.ZodType>, 'wildcard'>, ca: string): string | undefined {
  if (isAdminCommand(cmd)) return AdminAssertion.audience(ca);
  if (isExitAdminCommand(cmd)) return AdminAssertion.exitAudience(ca);
  return undefined;
}

/** The one command whose assertion names no actor (admin-api asks who a token belongs to). */
export const ACTORLESS_ADMIN_COMMANDS: readonly string[] = [Commands.adminAuthenticate.name];
