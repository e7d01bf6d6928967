import { Logger } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { ensureEventStream, EventPublisher } from '@signet/bus';
import { CaEventSchema, Events, ExitEvent } from '@signet/contracts';
import { type DataSource } from 'typeorm';
import { openDatabase } from '../database/data-source';
import {
  connectNats,
  createTestDatabase,
  deferred,
  eventCounts,
  lastEvent,
  purgeEvents,
  randomHex,
  testCaName,
  testConfig,
  waitFor,
  type TestDatabase,
} from '../testing/infra';
import { OutboxRelay } from './outbox.relay';
import { OutboxStore } from './outbox.store';

// Real PostgreSQL and real NATS/JetStream. The publisher below is the real
// EventPublisher; it only records what it was asked to publish (and can hold
// a publish back, to keep a relay's batch locked while another relay runs).

class RecordingPublisher extends EventPublisher {
  readonly published: Array<{ subject: string; msgId: string; duplicate: boolean }> = [];
  private hold?: { entered: () => void; release: Promise<void> };

  /** The next publish waits for `release` after calling `entered`. */
  holdNext(entered: () => void, release: Promise<void>): void {
    this.hold = { entered, release };
  }

  override async publish(subject: string, payload: unknown, msgId: string): Promise<{ duplicate: boolean; seq: number }> {
    const hold = this.hold;
    if (hold) {
      this.hold = undefined;
      hold.entered();
      await hold.release;
    }
    const ack = await super.publish(subject, payload, msgId);
    this.published.push({ subject, msgId, duplicate: ack.duplicate });
    return ack;
  }

  ids(): string[] {
    return this.published.map((p) => p.msgId);
  }
}

interface OutboxRow {
  event_id: string;
  subject: string;
  published: boolean;
  attempts: number;
  last_error: string | null;
}

describe('OutboxRelay (real PostgreSQL + JetStream)', () => {
  const base = testCaName('outbox');
  let db: TestDatabase;
  let ds: DataSource;
  let nc: NatsConnection;
  const extraDs: DataSource[] = [];
  const extraNc: NatsConnection[] = [];
  const store = new OutboxStore();
  const usedCas = new Set<string>();

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    ds = await openDatabase(db.url);
    nc = await connectNats(`ca-core-outbox-spec-${base}`);
    await ensureEventStream(nc);
  });

  afterAll(async () => {
    if (nc) await purgeEvents(nc, [...usedCas]);
    await Promise.all([...extraNc, nc].map((c) => c?.close()));
    await Promise.all([...extraDs, ds].map((d) => d?.isInitialized && d.destroy()));
    await db?.drop();
  });

  function relay(publisher: EventPublisher, source: DataSource = ds, pollMs = '250'): OutboxRelay {
    return new OutboxRelay(testConfig(base, db.url, { SIGNET_OUTBOX_POLL_MS: pollMs }), source, publisher);
  }

  async function enqueue(ca: string, n = 1, event: ExitEvent = ExitEvent.CertificateIssued): Promise<string[]> {
    usedCas.add(ca);
    return ds.transaction(async (m) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(await store.enqueue(m, ca, event, { requestId: i + 1, message: `event ${i}` }));
      return ids;
    });
  }

  async function rows(ids: string[]): Promise<OutboxRow[]> {
    return ds.query(
      `SELECT event_id, subject, published_at IS NOT NULL AS published, attempts, last_error FROM outbox WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    );
  }

  async function unpublishedCount(): Promise<number> {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return n;
  }

  it('publishes rows enqueued in a transaction to ca.<ca>.events.<event> and marks them published', async () => {
    const ca = `${base}-a`;
    const publisher = new RecordingPublisher(nc);
    const [issued] = await enqueue(ca, 1, ExitEvent.CertificateIssued);
    const [denied] = await enqueue(ca, 1, ExitEvent.RequestDenied);
    expect(await rows([issued, denied])).toEqual([
      { event_id: issued, subject: `ca.${ca}.events.certificate.issued`, published: false, attempts: 0, last_error: null },
      { event_id: denied, subject: `ca.${ca}.events.request.denied`, published: false, attempts: 0, last_error: null },
    ]);

    await expect(relay(publisher).drainOnce()).resolves.toBe(false);

    expect(publisher.ids()).toEqual([issued, denied]);
    expect((await rows([issued, denied])).map((r) => [r.published, r.attempts, r.last_error])).toEqual([
      [true, 1, null],
      [true, 1, null],
    ]);
    expect(await eventCounts(nc, ca)).toEqual({
      [`ca.${ca}.events.certificate.issued`]: 1,
      [`ca.${ca}.events.request.denied`]: 1,
    });
    const stored = await lastEvent(nc, Events.subject(ca, ExitEvent.CertificateIssued));
    expect(stored?.msgId).toBe(issued);
    const payload = CaEventSchema.parse(stored?.payload);
    expect(payload).toMatchObject({ id: issued, event: 'certificate.issued', eventBit: 0x1, ca, requestId: 1, message: 'event 0' });

    // Nothing left: a second pass publishes nothing.
    await relay(publisher).drainOnce();
    expect(publisher.ids()).toEqual([issued, denied]);
  });

  it('reports a full batch so the caller drains again', async () => {
    const ca = `${base}-batch`;
    const publisher = new RecordingPublisher(nc);
    const ids = await enqueue(ca, 5);
    const r = relay(publisher);
    await expect(r.drainOnce(2)).resolves.toBe(true);
    await expect(r.drainOnce(2)).resolves.toBe(true);
    await expect(r.drainOnce(2)).resolves.toBe(false);
    // In enqueue order.
    expect(publisher.ids()).toEqual(ids);
    expect(await unpublishedCount()).toBe(0);
  });

  it('stores a republished event once (crash after publish, before marking): JetStream drops it by event id', async () => {
    const ca = `${base}-dedup`;
    const publisher = new RecordingPublisher(nc);
    const [id] = await enqueue(ca, 1, ExitEvent.RequestPending);
    await relay(publisher).drainOnce();
    // The crash: the publish happened, the mark did not.
    await ds.query(`UPDATE outbox SET published_at = NULL WHERE event_id = $1`, [id]);
    await relay(publisher).drainOnce();

    expect(publisher.published).toEqual([
      { subject: `ca.${ca}.events.request.pending`, msgId: id, duplicate: false },
      { subject: `ca.${ca}.events.request.pending`, msgId: id, duplicate: true },
    ]);
    expect(await eventCounts(nc, ca)).toEqual({ [`ca.${ca}.events.request.pending`]: 1 });
    expect((await rows([id]))[0]).toMatchObject({ published: true, attempts: 2 });
  });

  it('lets a second relay skip the rows another relay has claimed (SKIP LOCKED) instead of waiting or repeating them', async () => {
    const ca = `${base}-skip`;
    const ids = await enqueue(ca, 6);
    const slow = new RecordingPublisher(nc);
    const fast = new RecordingPublisher(nc);
    const entered = deferred();
    const release = deferred();
    slow.holdNext(entered.resolve, release.promise);

    // Relay A claims the first three rows and stalls in the middle of publishing them.
    const a = relay(slow).drainOnce(3);
    await entered.promise;
    // Relay B, meanwhile, neither blocks on A's rows nor publishes them.
    const b = await Promise.race([
      relay(fast).drainOnce(100),
      new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 5_000).unref()),
    ]);
    expect(b).toBe(false);
    expect(fast.ids()).toEqual(ids.slice(3));
    expect((await rows(ids)).map((r) => r.published)).toEqual([false, false, false, true, true, true]);

    release.resolve();
    await expect(a).resolves.toBe(true);
    expect(slow.ids()).toEqual(ids.slice(0, 3));
    expect((await rows(ids)).every((r) => r.published && r.attempts === 1)).toBe(true);
    expect(await eventCounts(nc, ca)).toEqual({ [`ca.${ca}.events.certificate.issued`]: 6 });
  });

  it('publishes every event exactly once when two replicas drain concurrently', async () => {
    const ca = `${base}-race`;
    const ids = await enqueue(ca, 240);
    // Two replicas: own connection pools, own NATS connections.
    const replicas = await Promise.all(
      [0, 1].map(async (i) => {
        const rds = await openDatabase(db.url);
        const rnc = await connectNats(`ca-core-outbox-spec-${base}-${i}`);
        extraDs.push(rds);
        extraNc.push(rnc);
        const publisher = new RecordingPublisher(rnc);
        return { publisher, relay: relay(publisher, rds) };
      }),
    );
    await Promise.all(
      replicas.map(async ({ relay: r }) => {
        while (await r.drainOnce(20)) {
          // keep draining while batches come back full
        }
      }),
    );

    const all = replicas.flatMap((r) => r.publisher.ids());
    expect(all).toHaveLength(ids.length);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(replicas.flatMap((r) => r.publisher.published).filter((p) => p.duplicate)).toEqual([]);
    expect(await unpublishedCount()).toBe(0);
    const [{ max }] = await ds.query(`SELECT max(attempts)::int AS max FROM outbox WHERE event_id = ANY($1::uuid[])`, [ids]);
    expect(max).toBe(1);
    expect(await eventCounts(nc, ca)).toEqual({ [`ca.${ca}.events.certificate.issued`]: ids.length });
  });

  it('never publishes an event whose transaction rolled back, nor one that is not committed yet', async () => {
    const ca = `${base}-rollback`;
    const publisher = new RecordingPublisher(nc);
    const r = relay(publisher);

    // Open transaction: the relay must not see (and publish) the uncommitted row.
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    const pendingId = await store.enqueue(qr.manager, ca, ExitEvent.CertificateIssued, { requestId: 1 });
    await r.drainOnce();
    expect(publisher.ids()).not.toContain(pendingId);
    await qr.rollbackTransaction();
    await qr.release();

    // A transaction that fails after writing its event.
    let thrownId: string | undefined;
    await expect(
      ds.transaction(async (m) => {
        thrownId = await store.enqueue(m, ca, ExitEvent.RequestDenied, { requestId: 2 });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(thrownId).toBeDefined();

    await r.drainOnce();
    expect(publisher.ids()).toEqual([]);
    expect(await rows([pendingId, thrownId!])).toEqual([]);
    expect(await eventCounts(nc, ca)).toEqual({});
  });

  it('keeps a row it cannot publish, records the error, and does not publish later events past it', async () => {
    const ca = `${base}-fail`;
    const publisher = new RecordingPublisher(nc);
    const r = relay(publisher);
    // A subject no stream captures: JetStream has no responder for it.
    const badId = (await ds.query(`SELECT gen_random_uuid()::text AS id`))[0].id as string;
    await ds.query(`INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, '{}')`, [badId, `signet.test.nostream.${randomHex()}`]);
    const [after] = await enqueue(ca, 1);

    await expect(r.drainOnce()).resolves.toBe(false);
    const [bad, good] = await rows([badId, after]);
    expect(bad).toMatchObject({ published: false, attempts: 1 });
    expect(bad.last_error).toBeTruthy();
    expect(good).toMatchObject({ published: false, attempts: 0 });
    expect(publisher.ids()).toEqual([]);

    // Once the row can be published, the relay catches up in order.
    await ds.query(`UPDATE outbox SET subject = $2 WHERE event_id = $1`, [badId, Events.subject(ca, ExitEvent.CaStartup)]);
    await r.drainOnce();
    expect(publisher.ids()).toEqual([badId, after]);
    expect(await unpublishedCount()).toBe(0);
  });

  it('runs in the background once started, and publishes what is left when stopped', async () => {
    const ca = `${base}-bg`;
    const publisher = new RecordingPublisher(nc);
    const r = relay(publisher, ds, '20');
    r.start();
    const [first] = await enqueue(ca, 1, ExitEvent.CaStartup);
    r.wake();
    await waitFor('the background relay to publish', async () => (await rows([first]))[0].published);

    const [last] = await enqueue(ca, 1, ExitEvent.CaShutdown);
    await r.stop();
    expect((await rows([last]))[0].published).toBe(true);
    expect(publisher.ids()).toEqual([first, last]);

    // Stopped means stopped: no timer publishes later events.
    const [later] = await enqueue(ca, 1);
    r.wake();
    await new Promise((res) => setTimeout(res, 100));
    expect((await rows([later]))[0].published).toBe(false);
    await ds.query(`DELETE FROM outbox WHERE event_id = $1`, [later]);
  });
});
