/*
 * A complete Signet exit module in one file: registers with an event mask,
 * consumes its events durably, reads the request back from the CA, acks.
 * Run: SIGNET_CA_NAME=signet node dist/examples/exit-module/exit-module.js
 * The contract it follows is docs/EXIT-MODULES.md (any language can do the same).
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { CaEventSchema, Commands, Events, ExitEvent, ExitRollCall, maskOf, type CaEvent, type ExitReadReply } from '@signet/contracts';

const ca = process.env.SIGNET_CA_NAME ?? 'signet';
const name = process.env.EXAMPLE_MODULE_NAME ?? 'example-printer';
const events = [ExitEvent.CertificateIssued, ExitEvent.RequestDenied];
const registration = { kind: 'exit', name, description: 'prints each event as a JSON line', version: '1.0.0', eventMask: maskOf(events) };
const seen = new Set<string>(); // idempotency by event id (a real module keeps this durably)

async function readBack(nc: NatsConnection, requestId: number): Promise<ExitReadReply> {
  const reply = (await nc.request(Commands.exitRead.subject(ca), JSON.stringify({ requestId }), { timeout: 5_000 })).json<{ ok: boolean; data: ExitReadReply; error?: { message: string } }>();
  if (!reply.ok) throw new Error(reply.error?.message);
  return reply.data;
}

async function handle(nc: NatsConnection, e: CaEvent): Promise<void> {
  if (seen.has(e.id)) return; // delivered again (at-least-once): already done
  const request = e.requestId ? (await readBack(nc, e.requestId)).request : undefined;
  console.log(JSON.stringify({ id: e.id, event: e.event, serial: e.serial, requester: request?.requesterName }));
  seen.add(e.id);
}

async function main(): Promise<void> {
  const nc = await connect({ servers: process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222', user: process.env.SIGNET_NATS_USER, pass: process.env.SIGNET_NATS_PASSWORD, inboxPrefix: process.env.SIGNET_NATS_INBOX_PREFIX });
  // 1. ICertExit::Initialize: answer the CA's roll call, and announce ourselves to a CA already running.
  nc.subscribe(ExitRollCall.subject(ca), { callback: (_err, m) => void m.respond(JSON.stringify({ ok: true, data: registration })) });
  await nc.request(Commands.moduleRegister.subject(ca), JSON.stringify(registration), { timeout: 5_000 }).catch(() => undefined);

  // 2. One durable consumer per event (nats-server 2.9: one filter subject each), shared by our replicas.
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  for (const event of events) {
    const durable = `exit_${ca}_${name.replace(/\./g, '_')}_${event.replace(/\./g, '-')}`;
    await jsm.consumers.add(Events.stream, {
      durable_name: durable,
      filter_subject: Events.subject(ca, event),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      max_deliver: 5, // bounded redelivery ...
      backoff: [1, 5, 30, 120].map((s) => nanos(s * 1000)), // ... with backoff
    });
    // 3. Notify: handle, then ack; on failure NAK with a delay so it comes back later.
    void (async () => {
      const messages = await (await js.consumers.get(Events.stream, durable)).consume({ max_messages: 8 });
      for await (const m of messages) {
        try {
          await handle(nc, CaEventSchema.parse(m.json()));
          m.ack();
        } catch (e) {
          console.error(`event failed (attempt ${m.info.deliveryCount}): ${(e as Error).message}`);
          m.nak(1_000 * m.info.deliveryCount);
        }
      }
    })();
  }
  console.error(`${name} registered for ${events.join(', ')} on CA ${ca}`);
  process.once('SIGTERM', () => void nc.drain().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
