import { type NatsConnection } from '@nats-io/transport-node';
import { signAdminAssertion, type SigningKey } from '@signet/assertions';
import { BusClient } from '@signet/bus';
import { AdminAssertion, type Actor, type Command } from '@signet/contracts';
import { type z } from 'zod';

export { BusSubmit, Commands } from '@signet/contracts';
export { decodeJson, encodeJson } from '@signet/bus';

/**
 * An admin command sent straight to ca-core as admin-api sends it (ADR 0028):
 * `actor` signed into the admin assertion with admin-api's key, over the
 * exact body bytes. For tests that need ca-core's answer without admin-api.
 */
export function callAsAdminApi<Req extends z.ZodType, Rep extends z.ZodType>(
  stack: { nc: NatsConnection; ca: string; adminKey: SigningKey },
  cmd: Command<Req, Rep>,
  actor: Actor,
  request: z.input<Req>,
): Promise<z.output<Rep>> {
  return new BusClient(stack.nc, 10_000).call(cmd, stack.ca, request, {
    headers: async (body) => ({ [AdminAssertion.header]: await signAdminAssertion(stack.adminKey, { ca: stack.ca, command: cmd.name, body, actor }) }),
  });
}
