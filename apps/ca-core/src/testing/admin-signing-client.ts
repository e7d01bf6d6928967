import { signAdminAssertion, type SigningKey } from '@signet/assertions';
import { type BusClient, type CallOptions } from '@signet/bus';
import { AdminAssertion, isAdminCommand, type Actor, type Command } from '@signet/contracts';
import { type z } from 'zod';

/** A request as a test writes it: the command's fields, and for an admin command the actor to sign. */
export type WithActor<T> = (string extends keyof T ? unknown : T) & { actor?: Actor };

/**
 * Test-only: a bus client that sends admin commands the way admin-api does
 * (ADR 0028). The `actor` a test writes into an admin command's request is
 * not sent: it is signed, with the command's name and the SHA-256 of the
 * body bytes, into the `Signet-Admin-Assertion` header. Other commands go
 * out unchanged.
 */
export class AdminSigningClient {
  constructor(
    private readonly bus: BusClient,
    private readonly key: SigningKey,
  ) {}

  call<Req extends z.ZodType, Rep extends z.ZodType>(
    cmd: Command<Req, Rep>,
    ca: string,
    request: WithActor<z.input<Req>>,
    opts: CallOptions = {},
  ): Promise<z.output<Rep>> {
    if (!isAdminCommand(cmd)) return this.bus.call(cmd, ca, request as z.input<Req>, opts);
    const { actor, ...body } = request as { actor?: Actor } & Record<string, unknown>;
    return this.bus.call(cmd, ca, body as z.input<Req>, {
      ...opts,
      headers: async (bytes) => ({ [AdminAssertion.header]: await signAdminAssertion(this.key, { ca, command: cmd.name, body: bytes, actor }) }),
    });
  }
}
