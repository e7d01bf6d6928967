import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ASSERTION_REFUSALS, signAdminAssertion, type SigningKey } from '@signet/assertions';
import { BusClient } from '@signet/bus';
import { AdminAssertion, adminAssertionAudience, Commands, ErrorCode, isExitAdminCommand, isSignetError, SignetError, type Actor, type Command } from '@signet/contracts';
import { badBody } from '@signet/http';
import { type z } from 'zod';
import { CONFIG, type AdminConfig } from '../config/config';

/** DI token for the process's one NATS connection. */
export const NATS_CONNECTION = Symbol('NatsConnection');

type AdminCommand = Exclude<keyof typeof Commands, 'submit' | 'retrieve' | 'caCertificate' | 'caProperties' | 'moduleRegister' | 'policyInit' | 'policyVerify' | 'exitRead'>;
type Req<K extends AdminCommand> = z.input<(typeof Commands)[K]['request']>;
type Rep<K extends AdminCommand> = z.output<(typeof Commands)[K]['reply']>;

/**
 * admin-api's one way out: the ICertAdmin/ICertView commands of its CA on
 * the bus (plus exit-service's dead letters). It never opens a database.
 *
 * Every message is checked against its contract here, before it leaves, so
 * a value the caller typed that the contract refuses is a 400 naming the
 * field, not an INTERNAL error. The contract is the single source of limits.
 */
@Injectable()
export class AdminClient {
  private readonly bus: BusClient;
  private readonly key: SigningKey;
  readonly ca: string;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONFIG) config: AdminConfig,
  ) {
    this.bus = new BusClient(nc, config.caTimeoutMs);
    this.key = config.assertionKey;
    this.ca = config.caName;
  }

  /**
   * Sends one command for this CA. `actor` is the authenticated caller (AD CS
   * Officer/CallerName), signed into the assertion; only the authentication
   * itself goes without one. ca-core's admin commands and exit-service's
   * dead-letter commands each carry an assertion for their receiver's
   * audience (`ca-core:<ca>`, `exit-service:<ca>`); exit-service's status
   * takes none.
   */
  async call<K extends AdminCommand>(name: K, request: Req<K>, actor?: Actor): Promise<Rep<K>> {
    const cmd = Commands[name] as unknown as Command<z.ZodType, z.ZodType>;
    const checked = cmd.request.safeParse(request);
    if (!checked.success) throw badBody(checked.error);
    const audience = adminAssertionAudience(cmd, this.ca);
    const headers = audience
      ? async (body: Uint8Array) => ({ [AdminAssertion.header]: await signAdminAssertion(this.key, { ca: this.ca, audience, command: cmd.name, body, actor }) })
      : undefined;
    try {
      return (await this.bus.call(cmd, this.ca, checked.data as never, { headers })) as Rep<K>;
    } catch (e) {
      throw toPublicError(e, this.ca, isExitAdminCommand(cmd) ? 'exit-service' : 'ca-core');
    }
  }

  /** A command on behalf of the authenticated caller. */
  as<K extends AdminCommand>(actor: Actor, name: K, fields: Req<K>): Promise<Rep<K>> {
    return this.call(name, fields, actor);
  }
}

const log = new Logger('AdminClient');
const REFUSED_ASSERTION: ReadonlySet<string> = new Set(ASSERTION_REFUSALS);

/**
 * Bus errors in the words an operator may see: subject names stay inside.
 * ca-core's own codes (NOT_FOUND, WRONG_STATE, BAD_MESSAGE for an invalid
 * cursor, ...) pass through; our message was already checked against the
 * same contract, so a refusal there is about the values, not our code.
 * ca-core or exit-service refusing admin-api's own assertion is a 500 with
 * the cause in admin-api's log: the caller can do nothing about it.
 */
export function toPublicError(e: unknown, ca: string, receiver: 'ca-core' | 'exit-service' = 'ca-core'): unknown {
  if (!isSignetError(e)) return e;
  if (e.code === ErrorCode.Unauthorized && REFUSED_ASSERTION.has(String(e.details?.reason))) {
    // ca-core or exit-service refused admin-api's own credential: a deployment fault, not the caller's (their token is fine).
    log.error(`${receiver} refused admin-api's admin assertion (${String(e.details?.reason)}): is this SIGNET_ADMIN_ASSERTION_KEY's public half in ${receiver}'s SIGNET_ADMIN_ASSERTION_KEYS, and are the clocks right?`);
    return new SignetError(ErrorCode.Internal, 'internal error');
  }
  if (e.code === ErrorCode.CaUnavailable) {
    return new SignetError(ErrorCode.CaUnavailable, `CA "${ca}" did not answer; retry later`, { ca });
  }
  return e;
}
