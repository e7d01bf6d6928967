import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { EventPublisher } from '@signet/bus';
import { Events, EXIT_EVENT_BIT, ExitEvent, type CaEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { DeadLetterStore } from '../deadletters/dead-letter.store';
import { ModuleRunner } from '../delivery/module-runner';
import { durableName } from '../delivery/names';
import { type ExitModule } from '../modules/types';
import { caEvent, delivery } from '../testing/fixtures';
import { DeliveryStatus } from './delivery-status';
import { onRealNats } from '../testing/nats';

// exit.<ca>.status's numbers against a real nats-server: what is waiting, what was given, the dead letters.

let nc: NatsConnection;
onRealNats((c) => (nc = c));

function recorder(): ExitModule & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: 'counted',
    description: 'counts what it gets',
    version: '0',
    events: [ExitEvent.CertificateIssued, ExitEvent.RequestDenied],
    mask: EXIT_EVENT_BIT[ExitEvent.CertificateIssued] | EXIT_EVENT_BIT[ExitEvent.RequestDenied],
    delivery: delivery({ batchWindowMs: 0, start: 'all' }),
    seen,
    async handle(event: CaEvent) {
      seen.push(event.id);
    },
  };
}

describe('DeliveryStatus on real NATS', () => {
  const ca = `status-${randomBytes(4).toString('hex')}`;
  const module = recorder();
  let deadLetters: DeadLetterStore;
  beforeAll(async () => {
    deadLetters = new DeadLetterStore(nc, ca);
    await deadLetters.init();
  });
  const deps = () => ({ nc, ca, deadLetters, readBack: () => Promise.reject(new Error('none')) });
  const status = () => new DeliveryStatus(nc, ca, [module], deadLetters).status();

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (const e of module.events) await jsm.consumers.delete(Events.stream, durableName(ca, module.name, e)).catch(() => undefined);
  });

  it('ok/a module that never started: its events with nothing pending, no dead letters', async () => {
    expect(await status()).toEqual({
      modules: [
        {
          name: 'counted',
          description: 'counts what it gets',
          events: module.events.map((event) => ({ event, consumer: durableName(ca, 'counted', event), pending: 0, inFlight: 0, redelivered: 0, lastDelivered: null })),
          deadLetters: 0,
        },
      ],
    });
  });

  it('ok/events that arrived while the module was down are pending; once it runs they are delivered and the time is shown; dead letters are counted', async () => {
    const first = new ModuleRunner(module, deps());
    await first.start();
    await first.stop();
    const publisher = new EventPublisher(nc);
    const issued = Array.from({ length: 3 }, () => caEvent(ExitEvent.CertificateIssued, {}, ca));
    for (const e of [...issued, caEvent(ExitEvent.RequestDenied, {}, ca)]) await publisher.publish(Events.subject(ca, e.event), e, e.id);
    const gaveUp = caEvent(ExitEvent.RequestDenied, { requestId: 5 }, ca);
    await deadLetters.add({ module: 'counted', eventId: gaveUp.id, event: gaveUp.event, requestId: 5, attempts: 8, lastError: 'receiver down', failedAt: new Date().toISOString() }, gaveUp);

    const waiting = (await status()).modules[0];
    expect(waiting.events.map((e) => [e.event, e.pending, e.inFlight, e.lastDelivered])).toEqual([
      [ExitEvent.CertificateIssued, 3, 0, null],
      [ExitEvent.RequestDenied, 1, 0, null],
    ]);
    expect(waiting.deadLetters).toBe(1);

    const before = Date.now();
    const again = new ModuleRunner(module, deps());
    await again.start();
    try {
      const deadline = Date.now() + 15_000;
      while (module.seen.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(module.seen).toHaveLength(4);
      let caughtUp = (await status()).modules[0];
      // Acknowledgements are gathered for up to 50 ms.
      while (caughtUp.events.some((e) => e.inFlight > 0) && Date.now() < deadline) caughtUp = (await status()).modules[0];
      for (const e of caughtUp.events) {
        expect([e.event, e.pending, e.inFlight, e.redelivered]).toEqual([e.event, 0, 0, 0]);
        expect(Date.parse(e.lastDelivered!)).toBeGreaterThanOrEqual(before - 1_000);
      }
      expect(caughtUp.deadLetters).toBe(1);
    } finally {
      await again.stop();
    }
  });
});
