import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { EventPublisher } from '@signet/bus';
import { Events, EXIT_EVENT_BIT, ExitEvent, type CaEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { DeadLetterStore } from '../deadletters/dead-letter.store';
import { type ExitModule } from '../modules/types';
import { caEvent, delivery } from '../testing/fixtures';
import { ModuleRunner } from './module-runner';
import { durableName } from './names';
import { onRealNats } from '../testing/nats';

// The runner against a real nats-server: pulling, batching, acknowledging.

let nc: NatsConnection;
onRealNats((c) => (nc = c));

interface Seen {
  id: string;
  attempt: number;
  at: number;
}

/** A module that records what it is given and answers at once. */
function recorder(batchWindowMs: number, concurrency = 8): ExitModule & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    name: 'recorder',
    description: 'records events',
    version: '0',
    events: [ExitEvent.CertificateIssued],
    mask: EXIT_EVENT_BIT[ExitEvent.CertificateIssued],
    delivery: delivery({ batchWindowMs, concurrency, start: 'all' }),
    seen,
    async handle(event: CaEvent, ctx) {
      seen.push({ id: event.id, attempt: ctx.attempt, at: Date.now() });
    },
  };
}

async function run(module: ExitModule, body: (ca: string, publish: (n: number) => Promise<string[]>) => Promise<void>): Promise<void> {
  const ca = `runner-${randomBytes(4).toString('hex')}`;
  const deadLetters = new DeadLetterStore(nc, ca);
  await deadLetters.init();
  const runner = new ModuleRunner(module, { nc, ca, deadLetters, readBack: () => Promise.reject(new Error('no read-back here')) });
  const publisher = new EventPublisher(nc);
  const publish = async (n: number) => {
    const events = Array.from({ length: n }, () => caEvent(ExitEvent.CertificateIssued, { serial: randomBytes(8).toString('hex') }, ca));
    await Promise.all(events.map((e) => publisher.publish(Events.subject(ca, e.event), e, e.id)));
    return events.map((e) => e.id);
  };
  await runner.start();
  try {
    await body(ca, publish);
  } finally {
    await runner.stop();
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(Events.stream, durableName(ca, module.name, ExitEvent.CertificateIssued)).catch(() => undefined);
  }
}

async function until(what: string, fn: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Groups of deliveries separated by quiet gaps longer than `gapMs`. */
function bursts(seen: Seen[], gapMs: number): number {
  const at = seen.map((s) => s.at).sort((a, b) => a - b);
  return at.filter((t, i) => i === 0 || t - at[i - 1] > gapMs).length;
}

describe('ModuleRunner on real NATS', () => {
  it.each([0, 300])('ok/every event delivered exactly once on its first attempt (batch window %i ms)', async (window) => {
    const m = recorder(window);
    await run(m, async (_ca, publish) => {
      const ids = [...(await publish(1)), ...(await publish(40))];
      await until('40 + 1 deliveries', () => m.seen.length >= ids.length);
      await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
      expect(m.seen.map((s) => s.id).sort()).toEqual([...ids].sort());
      expect(m.seen.every((s) => s.attempt === 1)).toBe(true);
    });
  });

  it('ok/with a batch window, events that trickle in are delivered in bursts, none held much past the window', async () => {
    const m = recorder(1_000);
    await run(m, async (_ca, publish) => {
      const published = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        for (const id of await publish(1)) published.set(id, Date.now());
        await new Promise((r) => setTimeout(r, 100));
      }
      await until('30 deliveries', () => m.seen.length >= 30);
      // 30 events over ~3 s: a handful of bursts instead of one wake-up per event (without a window: 30).
      expect(bursts(m.seen, 50)).toBeLessThanOrEqual(6);
      const waited = m.seen.map((s) => s.at - published.get(s.id)!);
      expect(Math.max(...waited)).toBeLessThan(1_000 + 2_000); // the window plus generous scheduling slack
    });
  });

  it('ok/a long batch window does not stretch the backoff: a failed event is retried when its delay is up', async () => {
    const m = recorder(5_000);
    const failFirst = m.handle.bind(m);
    m.handle = async (event, ctx) => {
      await failFirst(event, ctx);
      if (ctx.attempt === 1) throw new Error('receiver down');
    };
    Object.assign(m.delivery, { retry: { ...m.delivery.retry, attempts: 3, initialDelayMs: 300, jitter: 0 } });
    await run(m, async (_ca, publish) => {
      const [id] = await publish(1);
      await until('the retry', () => m.seen.length >= 2, 10_000);
      const [first, second] = m.seen;
      expect([first.id, first.attempt, second.id, second.attempt]).toEqual([id, 1, id, 2]);
      // The NAK asked for 300 ms; the window (3.75–6.25 s) would have held the retry until its end.
      expect(second.at - first.at).toBeGreaterThanOrEqual(250);
      expect(second.at - first.at).toBeLessThan(2_000);
    });
  });

  it('ok/stopping during the batch window does not wait for it to end', async () => {
    const m = recorder(8_000);
    const ca = `runner-${randomBytes(4).toString('hex')}`;
    const deadLetters = new DeadLetterStore(nc, ca);
    await deadLetters.init();
    const runner = new ModuleRunner(m, { nc, ca, deadLetters, readBack: () => Promise.reject(new Error('none')) });
    await runner.start();
    const e = caEvent(ExitEvent.CertificateIssued, {}, ca);
    await new EventPublisher(nc).publish(Events.subject(ca, e.event), e, e.id);
    await until('the first delivery', () => m.seen.length === 1);
    const t0 = Date.now();
    await runner.stop();
    expect(Date.now() - t0).toBeLessThan(4_000);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(Events.stream, durableName(ca, m.name, ExitEvent.CertificateIssued)).catch(() => undefined);
  });

  it('ok/a consumer left from an earlier event list is found at start with what it holds, and left alone', async () => {
    const ca = `runner-${randomBytes(4).toString('hex')}`;
    const deadLetters = new DeadLetterStore(nc, ca);
    await deadLetters.init();
    const deps = { nc, ca, deadLetters, readBack: () => Promise.reject(new Error('none')) };
    const jsm = await jetstreamManager(nc);
    const both = { ...recorder(0), events: [ExitEvent.CertificateIssued, ExitEvent.RequestDenied], mask: EXIT_EVENT_BIT[ExitEvent.CertificateIssued] | EXIT_EVENT_BIT[ExitEvent.RequestDenied] };
    try {
      const first = new ModuleRunner(both, deps);
      await first.start();
      expect(first.leftovers).toEqual([]);
      await first.stop();
      // request.denied leaves the list; two denials happen meanwhile.
      const publisher = new EventPublisher(nc);
      for (const e of [caEvent(ExitEvent.RequestDenied, {}, ca), caEvent(ExitEvent.RequestDenied, {}, ca)]) await publisher.publish(Events.subject(ca, e.event), e, e.id);
      const issuedOnly = recorder(0);
      const second = new ModuleRunner(issuedOnly, deps);
      await second.start();
      await second.stop();
      expect(second.leftovers).toEqual([{ event: ExitEvent.RequestDenied, consumer: durableName(ca, 'recorder', ExitEvent.RequestDenied), pending: 2 }]);
      expect(issuedOnly.seen).toEqual([]);
      // Still there: removing it is the operator's call.
      expect((await jsm.consumers.info(Events.stream, durableName(ca, 'recorder', ExitEvent.RequestDenied))).num_pending).toBe(2);
    } finally {
      for (const event of both.events) await jsm.consumers.delete(Events.stream, durableName(ca, 'recorder', event)).catch(() => undefined);
    }
  });

  it('ok/two replicas of one module share its durable consumer: every event delivered once, by one or the other, both working', async () => {
    const ca = `runner-${randomBytes(4).toString('hex')}`;
    const deadLetters = new DeadLetterStore(nc, ca);
    await deadLetters.init();
    const deps = { nc, ca, deadLetters, readBack: () => Promise.reject(new Error('none')) };
    // A module that takes a while per event, so one replica cannot take everything at once.
    const slow = () => {
      const m = recorder(0, 2);
      const record = m.handle.bind(m);
      m.handle = async (event, ctx) => {
        await new Promise((r) => setTimeout(r, 15));
        await record(event, ctx);
      };
      return m;
    };
    const [a, b] = [slow(), slow()];
    const runners = [new ModuleRunner(a, deps), new ModuleRunner(b, deps)];
    await Promise.all(runners.map((r) => r.start()));
    try {
      const publisher = new EventPublisher(nc);
      const events = Array.from({ length: 120 }, () => caEvent(ExitEvent.CertificateIssued, { serial: randomBytes(8).toString('hex') }, ca));
      await Promise.all(events.map((e) => publisher.publish(Events.subject(ca, e.event), e, e.id)));
      await until('120 deliveries between the two', () => a.seen.length + b.seen.length >= 120);
      await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
      const all = [...a.seen, ...b.seen].map((s) => s.id);
      expect(all.sort()).toEqual(events.map((e) => e.id).sort());
      expect(a.seen.length).toBeGreaterThan(0);
      expect(b.seen.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(Events.stream, durableName(ca, 'recorder', ExitEvent.CertificateIssued)).catch(() => undefined);
    }
  });
});
