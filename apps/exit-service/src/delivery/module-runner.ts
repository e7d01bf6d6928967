import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerConfig, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { CaEventSchema, Events, EXIT_EVENTS, type CaEvent, type ExitEvent, type ExitReadReply } from '@signet/contracts';
import { type DeadLetterStore } from '../deadletters/dead-letter.store';
import { PermanentDeliveryError, type ExitModule } from '../modules/types';
import { InHand } from './in-hand';
import { AttemptTimeout, Semaphore, withDeadline } from './limits';
import { durableName } from './names';
import { backoffTable, heartbeatMs, maxDeliver, nakDelay } from './retry';
import { RetriesDue } from './retries-due';

export interface RunnerDeps {
  nc: NatsConnection;
  ca: string;
  deadLetters: DeadLetterStore;
  /** ICertServerExit on ca-core (Commands.exitRead). */
  readBack: (requestId: number, signal: AbortSignal) => Promise<ExitReadReply>;
}

export type AttemptResult = { ok: true } | { ok: false; error: string; permanent: boolean };

/** How long one pull waits for events before asking again. */
const FETCH_EXPIRES_MS = 5_000;
/** At most this many events per pull (more than `concurrency`: the rest wait in hand for a slot, kept alive by one timer). */
const fetchMax = (concurrency: number) => Math.max(concurrency, Math.min(4 * concurrency, 64));
const MAX_ERROR_CHARS = 1_000;

/**
 * Delivers one module's events (ICertExit::Notify for the events in its
 * mask). One durable pull consumer per event on SIGNET_EVENTS, filtered on
 * `ca.<ca>.events.<event>` (nats-server 2.9: one filter per consumer);
 * replicas of exit-service bind the same durables and share the work.
 *
 * Each module has its own consumers, its own concurrency limit and a
 * deadline per attempt, so a failing or hanging module only ever delays
 * itself. A message in hand is touched (+WPI) so the server does not
 * redeliver it while it is worked on; the consumer's backoff list governs
 * redelivery only when this process dies or hangs. A failed attempt is
 * NAKed with the next backoff delay (plus jitter); after the last attempt
 * the event becomes a dead letter and is acknowledged.
 */
export class ModuleRunner {
  private readonly log: Logger;
  private readonly slots: Semaphore;
  private readonly inHand: InHand;
  private readonly stopping = new AbortController();
  private readonly fetches = new Set<ConsumerMessages>();
  private readonly loops: Promise<void>[] = [];
  private readonly lastErrors = new Map<string, string>();
  private jsm!: JetStreamManager;
  readonly stats = { delivered: 0, failedAttempts: 0, deadLettered: 0 };
  /** Consumers of this module for events no longer in its list, found at start (see leftoverConsumers). */
  leftovers: Array<{ event: ExitEvent; consumer: string; pending: number }> = [];

  constructor(
    readonly module: ExitModule,
    private readonly deps: RunnerDeps,
  ) {
    this.log = new Logger(`exit:${module.name}`);
    this.slots = new Semaphore(module.delivery.concurrency);
    this.inHand = new InHand(heartbeatMs(module.delivery.retry));
  }

  async start(): Promise<void> {
    this.jsm = await jetstreamManager(this.deps.nc);
    const js = jetstream(this.deps.nc);
    for (const event of this.module.events) {
      const name = await this.ensureConsumer(event);
      const consumer = await js.consumers.get(Events.stream, name);
      this.loops.push(this.pullLoop(event, consumer));
    }
    this.leftovers = await this.leftoverConsumers();
    for (const l of this.leftovers) {
      this.log.warn(
        `${l.consumer} is left from an earlier event list (${l.event} is no longer in it) and holds ${l.pending} event(s): put ${l.event} back and they are delivered then, ` +
          `however old; remove it if they are not wanted (nats consumer rm ${Events.stream} ${l.consumer})`,
      );
    }
    const r = this.module.delivery.retry;
    this.log.log(`delivering ${this.module.events.join(', ')}; ${r.attempts} attempt(s), backoff ${backoffTable(r).join('/')} ms, timeout ${this.module.delivery.timeoutMs} ms, concurrency ${this.module.delivery.concurrency}`);
  }

  /** Stops pulling, ends attempts in progress (they count as failed and come back), waits for the loops. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('exit-service is stopping'));
    for (const f of this.fetches) f.stop();
    await Promise.allSettled(this.loops);
    this.inHand.flush();
    await this.module.close?.().catch(() => undefined);
  }

  /** The consumer's wanted settings; replicas starting together create the same thing. */
  consumerConfig(event: ExitEvent): Partial<ConsumerConfig> & { durable_name: string } {
    const d = this.module.delivery;
    return {
      durable_name: durableName(this.deps.ca, this.module.name, event),
      description: `Signet exit module ${this.module.name}: ${event} of CA ${this.deps.ca}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: d.start === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
      filter_subject: Events.subject(this.deps.ca, event),
      max_deliver: maxDeliver(d.retry),
      // The server sets ack_wait to backoff[0]; heartbeats keep a message in hand alive past it.
      backoff: backoffTable(d.retry).map((ms) => nanos(ms)),
      max_ack_pending: 1_000,
    };
  }

  /**
   * The module's durables for events it no longer lists. exit-service does
   * not delete them: its NATS user may not delete consumers, since consumer
   * names are one token and a permission cannot be limited to its own
   * modules' (ADR 0009). So it says so at every start, with the count an
   * operator needs to decide.
   */
  private async leftoverConsumers(): Promise<ModuleRunner['leftovers']> {
    const found: ModuleRunner['leftovers'] = [];
    for (const event of EXIT_EVENTS.filter((e) => !this.module.events.includes(e))) {
      const consumer = durableName(this.deps.ca, this.module.name, event);
      const info = await this.jsm.consumers.info(Events.stream, consumer).catch(() => undefined);
      if (info) found.push({ event, consumer, pending: info.num_pending + info.num_ack_pending });
    }
    return found;
  }

  private async ensureConsumer(event: ExitEvent): Promise<string> {
    const cfg = this.consumerConfig(event);
    const existing = await this.jsm.consumers.info(Events.stream, cfg.durable_name).catch(() => undefined);
    if (!existing) {
      try {
        await this.jsm.consumers.add(Events.stream, cfg);
      } catch (e) {
        // Another replica created it a moment ago with the same settings.
        await this.jsm.consumers.info(Events.stream, cfg.durable_name).catch(() => {
          throw e;
        });
      }
      return cfg.durable_name;
    }
    const c = existing.config;
    const same = c.max_deliver === cfg.max_deliver && JSON.stringify(c.backoff ?? []) === JSON.stringify(cfg.backoff) && c.description === cfg.description;
    if (!same) {
      // Retry settings changed in the file: the durable keeps its position, only the schedule changes.
      await this.jsm.consumers.update(Events.stream, cfg.durable_name, { description: cfg.description, max_deliver: cfg.max_deliver, backoff: cfg.backoff, max_ack_pending: cfg.max_ack_pending });
    }
    return cfg.durable_name;
  }

  /**
   * Pulls and delivers, a batch at a time (`concurrency` at once, the rest
   * of the batch waiting in hand for a slot).
   * With a batch window the loop asks for exactly as many events as the
   * server says are waiting (each message carries that count), so a pull
   * never lingers for events that have not happened yet; once caught up it
   * waits out the window, then asks for one event, blocking until there is
   * one, which tells it how many more arrived meanwhile. Events thus come
   * in bursts that share wake-ups, acknowledgements and connections.
   * The wait never outlasts a retry still to come (a NAK's delay, this
   * batch's or an earlier one's), so the window does not stretch the
   * module's backoff: the server can only redeliver into a pull.
   */
  private async pullLoop(event: ExitEvent, consumer: Consumer): Promise<void> {
    const { concurrency, batchWindowMs } = this.module.delivery;
    let failures = 0;
    let want = batchWindowMs > 0 ? 1 : concurrency;
    const retries = new RetriesDue();
    while (!this.stopping.signal.aborted) {
      try {
        const batch = await consumer.fetch({ max_messages: want, expires: FETCH_EXPIRES_MS });
        this.fetches.add(batch);
        const work: Promise<void>[] = [];
        let waiting = 0;
        try {
          for await (const m of batch) {
            retries.arrived(m.seq);
            work.push(this.deliver(m).then((delay) => (delay === undefined ? undefined : retries.expect(m.seq, delay))));
            waiting = m.info.pending;
          }
        } finally {
          this.fetches.delete(batch);
        }
        await Promise.all(work);
        failures = 0;
        if (batchWindowMs === 0) continue;
        if (waiting > 0) {
          want = Math.min(waiting, fetchMax(concurrency));
        } else {
          want = 1;
          // ± 25 % at random: modules (and replicas) drift apart instead of all waking at once.
          if (work.length) await this.pause(retries.capped(Math.round(batchWindowMs * (0.75 + Math.random() / 2))));
        }
      } catch (e) {
        if (this.stopping.signal.aborted) break;
        failures++;
        if (failures === 1 || failures % 30 === 0) this.log.warn(`pulling ${event} failed (${(e as Error).message}); retrying`);
        await this.pause(Math.min(1_000 * failures, 10_000));
        await this.ensureConsumer(event).catch(() => undefined);
      }
    }
  }

  /** Waits, or less when the service stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => (clearTimeout(timer), this.stopping.signal.removeEventListener('abort', done), resolve());
      const timer = setTimeout(done, ms);
      this.stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One delivered message, start to acknowledgement. Never throws; resolves with the delay when it was NAKed for a retry. */
  private async deliver(m: JsMsg): Promise<number | undefined> {
    this.inHand.take(m);
    const ack = () => this.inHand.ack(m);
    try {
      const parsed = CaEventSchema.safeParse(safeJson(m));
      if (!parsed.success) {
        // Not a CA event: no attempt can ever succeed, and there is nothing to show an administrator.
        this.log.error(`dropped an unreadable message on ${m.subject} (stream seq ${m.seq})`);
        m.term();
        return;
      }
      const event = parsed.data;
      const attempt = m.info.deliveryCount;
      const attempts = this.module.delivery.retry.attempts;
      if (attempt > attempts) {
        // The sentinel delivery: the last real attempt never reported back (process died or hung).
        await this.toDeadLetter(event, attempts, this.lastErrors.get(event.id) ?? 'the last attempt did not report back (the process stopped or hung)');
        ack();
        return;
      }
      await this.slots.acquire();
      let result: AttemptResult;
      try {
        result = await this.attempt(event, attempt);
      } finally {
        this.slots.release();
      }
      if (result.ok) {
        this.lastErrors.delete(event.id);
        this.stats.delivered++;
        ack();
        return;
      }
      this.stats.failedAttempts++;
      if (result.permanent || attempt >= attempts) {
        await this.toDeadLetter(event, attempt, result.error);
        ack();
        return;
      }
      this.lastErrors.set(event.id, result.error);
      const delay = nakDelay(this.module.delivery.retry, attempt);
      this.log.warn(`event ${event.id} (${event.event}) attempt ${attempt}/${attempts} failed: ${result.error}; next in ${delay} ms`);
      m.nak(delay);
      return delay;
    } catch (e) {
      // Recording the dead letter failed (e.g. the bus is away): leave the message to be redelivered.
      this.log.error(`delivery bookkeeping failed: ${(e as Error).message}`);
      const delay = heartbeatMs(this.module.delivery.retry) * 3;
      m.nak(delay);
      return delay;
    } finally {
      this.inHand.release(m); // no-op after ack()
    }
  }

  /** One attempt of the module's handler, under its deadline. Also used by replay. */
  async attempt(event: CaEvent, attempt: number): Promise<AttemptResult> {
    try {
      await withDeadline(
        this.module.delivery.timeoutMs,
        (signal) => {
          let cached: Promise<ExitReadReply> | undefined;
          const readBack = () => {
            if (event.requestId === undefined) return Promise.reject(new PermanentDeliveryError(`event ${event.event} has no request to read back`));
            return (cached ??= this.deps.readBack(event.requestId, signal));
          };
          return this.module.handle(event, { signal, attempt, readBack });
        },
        this.stopping.signal,
      );
      this.log.debug(`event ${event.id} (${event.event}) delivered on attempt ${attempt}`);
      return { ok: true };
    } catch (e) {
      const error = (e instanceof AttemptTimeout ? e.message : (e as Error)?.message ?? String(e)).slice(0, MAX_ERROR_CHARS);
      return { ok: false, error, permanent: e instanceof PermanentDeliveryError };
    }
  }

  /** Records the dead letter; the caller then acknowledges the message. */
  private async toDeadLetter(event: CaEvent, attempts: number, lastError: string): Promise<void> {
    const id = await this.deps.deadLetters.add(
      { module: this.module.name, eventId: event.id, event: event.event, ...(event.requestId !== undefined ? { requestId: event.requestId } : {}), attempts, lastError, failedAt: new Date().toISOString() },
      event,
    );
    this.lastErrors.delete(event.id);
    this.stats.deadLettered++;
    this.log.error(`event ${event.id} (${event.event}) gave up after ${attempts} attempt(s): ${lastError}; dead letter ${id}`);
  }
}

function safeJson(m: JsMsg): unknown {
  try {
    return m.json();
  } catch {
    return undefined;
  }
}
