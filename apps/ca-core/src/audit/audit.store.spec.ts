import { ErrorCode } from '@signet/contracts';
import { DataSource } from 'typeorm';
import { openDatabase } from '../database/data-source';
import { InitialSchema1764000000000 } from '../database/migrations/1764000000000-initial-schema';
import { RequestStore } from '../requests/request.store';
import { createTestDatabase, quietly, testCaName, type TestDatabase } from '../testing/infra';
import { AuditStore } from './audit.store';

// Real PostgreSQL: the advisory lock, READ COMMITTED visibility and jsonb round trips are the point.

describe('AuditStore (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: AuditStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDatabase(db.url);
    audit = new AuditStore(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const append = (ca: string, n: number, delayMs = 0) =>
    ds.transaction(async (m) => {
      const r = await audit.append(m, ca, { actor: `actor-${n}`, action: 'test.append', requestId: n, details: { n, nested: { b: 2, a: [1, 'x'] } } });
      // Hold the transaction open a little: a second appender must wait for this commit, not fork the chain.
      if (delayMs) await new Promise((res) => setTimeout(res, delayMs));
      return r;
    });

  it('keeps one unbroken chain per CA under concurrent appends from many transactions', async () => {
    const a = testCaName('chain');
    const b = testCaName('chain');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 3 ? a : b, i + 1, i % 5)));
    const seqsA = results.filter((_, i) => i % 3).map((r) => r.seq).sort((x, y) => x - y);
    expect(seqsA).toEqual(Array.from({ length: seqsA.length }, (_, i) => i + 1));
    expect(await audit.verify(a)).toEqual({ ok: true, checked: seqsA.length, brokenAt: null });
    expect(await audit.verify(b)).toEqual({ ok: true, checked: 40 - seqsA.length, brokenAt: null });
    // Each entry links to the one before it.
    const rows: Array<{ seq: string; prev_hash: string; hash: string }> = await ds.query(`SELECT seq, prev_hash, hash FROM audit_log WHERE ca_name = $1 ORDER BY seq`, [a]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
  });

  it('appends a batch in the order given, one link after another, interleaved with single appends', async () => {
    const ca = testCaName('chain');
    const batch = (from: number, n: number, delayMs: number) =>
      ds.transaction(async (m) => {
        const r = await audit.appendMany(
          m,
          ca,
          Array.from({ length: n }, (_, i) => ({ actor: `batch-${from + i}`, action: 'test.batch', requestId: from + i, serial: i % 2 ? `0${i}` : undefined, details: { i, at: new Date(0) } })),
        );
        if (delayMs) await new Promise((res) => setTimeout(res, delayMs));
        return r;
      });
    const results = await Promise.all([batch(100, 25, 5), append(ca, 1, 3), batch(200, 1, 0), batch(300, 40, 2), append(ca, 2)]);
    // Within a batch, seqs follow the order given without a gap.
    for (const r of [results[0], results[3]] as Array<Array<{ seq: number }>>) {
      expect(r.map((x) => x.seq)).toEqual(Array.from({ length: r.length }, (_, i) => r[0].seq + i));
    }
    expect(await audit.verify(ca)).toEqual({ ok: true, checked: 25 + 1 + 1 + 40 + 1, brokenAt: null });
    const [row] = await ds.query(`SELECT actor, details FROM audit_log WHERE ca_name = $1 AND request_id = 305`, [ca]);
    expect(row).toEqual({ actor: 'batch-305', details: { i: 5, at: '1970-01-01T00:00:00.000Z' } });
    expect(await ds.transaction((m) => audit.appendMany(m, ca, []))).toEqual([]);
  });

  it('a rolled-back transaction leaves no entry and no gap', async () => {
    const ca = testCaName('chain');
    await append(ca, 1);
    await quietly(() =>
      expect(
        ds.transaction(async (m) => {
          await audit.append(m, ca, { actor: 'x', action: 'test.rollback' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort'),
    );
    await append(ca, 2);
    expect(await audit.verify(ca)).toEqual({ ok: true, checked: 2, brokenAt: null });
  });

  it.each(['REPEATABLE READ', 'SERIALIZABLE'] as const)('refuses to append in a %s transaction, writing nothing (its snapshot predates the lock)', async (isolation) => {
    const ca = testCaName('chain');
    await append(ca, 1);
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction(isolation);
      // The snapshot is taken here, before the entry below commits: its head would be one behind.
      await qr.query(`SELECT 1`);
      await append(ca, 2);
      await expect(audit.append(qr.manager, ca, { actor: 'stale', action: 'test.snapshot' })).rejects.toMatchObject({
        code: ErrorCode.Internal,
        message: `an audit entry can only be appended in a READ COMMITTED transaction, not ${isolation}`,
      });
      await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
    expect((await audit.list(ca, { afterId: 0, limit: 10 })).map((e) => e.actor)).toEqual(['actor-1', 'actor-2']);
    expect(await audit.verify(ca)).toEqual({ ok: true, checked: 2, brokenAt: null });
  });

  it('lists entries after an id, optionally for one request, with their hashes', async () => {
    const ca = testCaName('chain');
    const r1 = await append(ca, 1);
    const r2 = await append(ca, 2);
    const all = await audit.list(ca, { afterId: 0, limit: 10 });
    expect(all.map((e) => [e.id, e.actor, e.requestId, e.hash])).toEqual([
      [r1.id, 'actor-1', 1, r1.hash],
      [r2.id, 'actor-2', 2, r2.hash],
    ]);
    expect(all[0].details).toEqual({ n: 1, nested: { a: [1, 'x'], b: 2 } });
    expect((await audit.list(ca, { afterId: r1.id, limit: 10 })).map((e) => e.id)).toEqual([r2.id]);
    expect((await audit.list(ca, { afterId: 0, limit: 10, requestId: 2 })).map((e) => e.id)).toEqual([r2.id]);
  });

  describe('tampering through SQL is found by verify', () => {
    let ca: string;
    let ids: number[];

    beforeEach(async () => {
      ca = testCaName('tamper');
      ids = [];
      for (let i = 1; i <= 5; i++) ids.push((await append(ca, i)).id);
      expect((await audit.verify(ca)).ok).toBe(true);
    });

    it.each<[string, (id: number) => string]>([
      ['actor', (id) => `UPDATE audit_log SET actor = 'mallory' WHERE id = ${id}`],
      ['after disposition', (id) => `UPDATE audit_log SET after_disposition = 'denied' WHERE id = ${id}`],
      ['details', (id) => `UPDATE audit_log SET details = jsonb_set(details, '{n}', '99') WHERE id = ${id}`],
      ['time', (id) => `UPDATE audit_log SET at = at - interval '1 hour' WHERE id = ${id}`],
    ])('an edited %s: broken at that entry', async (_what, sql) => {
      await ds.query(sql(ids[2]));
      expect(await audit.verify(ca)).toEqual({ ok: false, checked: 2, brokenAt: { id: ids[2], reason: expect.stringMatching(/this entry was changed/) } });
    });

    it('a deleted entry: broken at the entry that followed it, naming the missing position', async () => {
      await ds.query(`DELETE FROM audit_log WHERE id = $1`, [ids[2]]);
      expect(await audit.verify(ca)).toEqual({ ok: false, checked: 2, brokenAt: { id: ids[3], reason: expect.stringMatching(/entry #3 .* is missing \(deleted\)/) } });
    });

    it('a deleted last entry: the chain head notices', async () => {
      await ds.query(`DELETE FROM audit_log WHERE id = $1`, [ids[4]]);
      expect(await audit.verify(ca)).toEqual({ ok: false, checked: 4, brokenAt: { id: ids[4], reason: expect.stringMatching(/#5–#5 at the end of the log are missing/) } });
    });

    it('an edit with a recomputed hash: broken at the next entry', async () => {
      // A forger who knows the scheme can recompute one hash, but not the links after it without rewriting them all.
      const [row] = await ds.query(`SELECT hash FROM audit_log WHERE id = $1`, [ids[1]]);
      await ds.query(`UPDATE audit_log SET actor = 'mallory', hash = $2 WHERE id = $1`, [ids[1], row.hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))]);
      const r = await audit.verify(ca);
      expect(r.brokenAt?.id).toBe(ids[1]);
    });
  });

  it('chains the entries written before the migration, in id order, and appends after them', async () => {
    const old = await createTestDatabase();
    try {
      // A database at the initial schema, with audit rows written the old way (microsecond times from now()).
      const initial = new DataSource({ type: 'postgres', url: old.url, migrations: [InitialSchema1764000000000], logging: false });
      await initial.initialize();
      await initial.runMigrations();
      for (const [ca, actor] of [['old-a', 'alice'], ['old-b', 'bob'], ['old-a', 'ca'], ['old-a', 'carol']]) {
        await initial.query(`INSERT INTO audit_log (ca_name, actor, action, details) VALUES ($1, $2, 'request.submit', '{"z":1,"a":{"y":2,"b":3}}')`, [ca, actor]);
      }
      await initial.destroy();

      const migrated = await openDatabase(old.url);
      try {
        const store = new AuditStore(migrated);
        expect(await store.verify('old-a')).toEqual({ ok: true, checked: 3, brokenAt: null });
        expect(await store.verify('old-b')).toEqual({ ok: true, checked: 1, brokenAt: null });
        const rows = await migrated.query(`SELECT actor, seq FROM audit_log WHERE ca_name = 'old-a' ORDER BY id`);
        expect(rows).toEqual([{ actor: 'alice', seq: '1' }, { actor: 'ca', seq: '2' }, { actor: 'carol', seq: '3' }]);
        await migrated.transaction((m) => store.append(m, 'old-a', { actor: 'dave', action: 'after.migration' }));
        expect(await store.verify('old-a')).toEqual({ ok: true, checked: 4, brokenAt: null });
      } finally {
        await migrated.destroy();
      }
    } finally {
      await old.drop();
    }
  });

  it('requests parked at start-up are audited through the chain', async () => {
    const ca = testCaName('park');
    const store = new RequestStore(ds, audit);
    await append(ca, 1);
    for (let i = 0; i < 3; i++) {
      await ds.query(
        `INSERT INTO request (ca_name, disposition, raw_request, request_sha256, requester_name, submitted_at) VALUES ($1, 'in_process', '\\x00', 'x', 'bob', now() - interval '10 minutes')`,
        [ca],
      );
    }
    const parked = await store.parkExpired(ca, 120_000);
    expect(parked).toHaveLength(3);
    const entries = await audit.list(ca, { afterId: 0, limit: 10 });
    expect(entries.map((e) => [e.action, e.requestId])).toEqual([['test.append', 1], ...parked.map((id) => ['request.park', id])]);
    expect(await audit.verify(ca)).toEqual({ ok: true, checked: 4, brokenAt: null });
  });
});
