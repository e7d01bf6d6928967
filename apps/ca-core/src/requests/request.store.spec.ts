import { type DataSource, type QueryRunner } from 'typeorm';
import { openDatabase } from '../database/data-source';
import { createTestDatabase, quietly, randomHex, testCaName, waitFor, type TestDatabase } from '../testing/infra';
import { RequestStore, type NewRequest } from './request.store';
import { Disposition, type Identity } from '@signet/contracts';

const ALICE: Identity = { method: 'enrollment-token', principal: 'alice', names: [{ type: 'dns', value: 'a.example' }], groups: [], evidence: { jti: 'j-1' } };

// Real PostgreSQL: the row locks, unique keys and RETURNING shapes are the point.

describe('RequestStore (real PostgreSQL)', () => {
  const ca = testCaName('store');
  const otherCa = `${ca}-other`;
  let db: TestDatabase;
  let ds: DataSource;
  let store: RequestStore;
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDatabase(db.url);
    store = new RequestStore(ds);
  });

  afterAll(async () => {
    for (const qr of runners) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      if (!qr.isReleased) await qr.release().catch(() => undefined);
    }
    await ds?.destroy();
    await db?.drop();
  });

  function newRequest(caName: string, idempotencyKey?: string): NewRequest {
    const raw = Buffer.from(randomHex(32), 'hex');
    return {
      caName,
      rawRequest: raw,
      requestSha256: randomHex(32),
      attributesRaw: 'CertificateTemplate:WebServer\nsan:dns=a.example',
      attributes: [
        { name: 'certificatetemplate', displayName: 'CertificateTemplate', value: 'WebServer' },
        { name: 'san', displayName: 'san', value: 'dns=a.example' },
      ],
      extensions: [{ oid: '2.5.29.19', critical: true, value: Buffer.from('30030101ff', 'hex'), origin: 'request', disabled: false }],
      identity: ALICE,
      subject: 'CN=a.example',
      idempotencyKey,
      retrievalSecretSha256: randomHex(32),
      leaseMs: 60_000,
    };
  }

  async function insert(caName: string, idempotencyKey?: string): Promise<number> {
    const id = await store.transaction((m) => store.insert(m, newRequest(caName, idempotencyKey)));
    if (id === undefined) throw new Error('insert refused');
    return id;
  }

  /** A transaction on its own connection, kept open by the test. */
  async function openTx(): Promise<{ qr: QueryRunner; pid: number }> {
    const qr = ds.createQueryRunner();
    runners.push(qr);
    await qr.connect();
    await qr.startTransaction();
    const [{ pid }] = await qr.query(`SELECT pg_backend_pid() AS pid`);
    return { qr, pid };
  }

  /** Resolves once the backend `pid` is waiting for a lock held by someone else. */
  function blockedOnLock(pid: number): Promise<true> {
    return waitFor(`backend ${pid} to wait for a lock`, async () => {
      const rows = await ds.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]);
      return rows.length === 1 || undefined;
    });
  }

  /** Tracks whether a promise has settled, without waiting for it. */
  function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
    let done = false;
    const promise = p.finally(() => {
      done = true;
    });
    return { promise, settled: () => done };
  }

  it('inserts a request in process with its attributes and requested extensions', async () => {
    const id = await insert(ca);
    expect(typeof id).toBe('number');
    const row = await store.get(ca, id);
    expect(row).toMatchObject({
      id,
      caName: ca,
      disposition: 'in_process',
      message: '',
      requesterName: 'enrollment-token:alice',
      identity: ALICE,
      subject: 'CN=a.example',
      idempotencyKey: null,
      decidedBy: null,
      version: 1,
      retrievalSecretSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      awaitingRetrieval: false,
    });
    expect(row!.submittedAt).toBeInstanceOf(Date);
    expect(await store.attributes(id)).toEqual([
      { name: 'certificatetemplate', displayName: 'CertificateTemplate', value: 'WebServer' },
      { name: 'san', displayName: 'san', value: 'dns=a.example' },
    ]);
    expect(await store.extensions(id)).toEqual([
      { oid: '2.5.29.19', origin: 'request', critical: true, disabled: false, value: Buffer.from('30030101ff', 'hex') },
    ]);
    // Scoped by CA.
    expect(await store.get(otherCa, id)).toBeUndefined();
  });

  describe('idempotency keys', () => {
    it('are unique per CA: a second insert with the same key returns undefined and writes nothing', async () => {
      const key = `order-${randomHex()}`;
      const first = await insert(ca, key);
      const second = await store.transaction((m) => store.insert(m, newRequest(ca, key)));
      expect(second).toBeUndefined();
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM request WHERE idempotency_key = $1 AND ca_name = $2`, [key, ca]);
      expect(n).toBe(1);
      expect((await store.findByIdempotencyKey(ca, key))?.id).toBe(first);
    });

    it('may repeat on another CA', async () => {
      const key = `order-${randomHex()}`;
      const mine = await insert(ca, key);
      const theirs = await insert(otherCa, key);
      expect(theirs).not.toBe(mine);
      expect((await store.findByIdempotencyKey(ca, key))?.id).toBe(mine);
      expect((await store.findByIdempotencyKey(otherCa, key))?.id).toBe(theirs);
      expect(await store.findByIdempotencyKey(ca, `unknown-${randomHex()}`)).toBeUndefined();
    });

    it('are optional: requests without a key never collide', async () => {
      const a = await insert(ca);
      const b = await insert(ca);
      expect(a).not.toBe(b);
    });

    it('let exactly one of two concurrent inserts win: the loser waits for the winner and gets undefined', async () => {
      const key = `race-${randomHex()}`;
      const t1 = await openTx();
      const t2 = await openTx();
      const winner = await store.insert(t1.qr.manager, newRequest(ca, key));
      expect(winner).toBeDefined();
      const loser = track(store.insert(t2.qr.manager, newRequest(ca, key)));
      await blockedOnLock(t2.pid);
      expect(loser.settled()).toBe(false);
      await t1.qr.commitTransaction();
      await expect(loser.promise).resolves.toBeUndefined();
      await t2.qr.commitTransaction();
      expect((await store.findByIdempotencyKey(ca, key))?.id).toBe(winner);
    });
  });

  describe('lock', () => {
    it('makes a second transaction wait for the row until the first commits, then shows it the committed state', async () => {
      const id = await insert(ca);
      const t1 = await openTx();
      const t2 = await openTx();

      const mine = await store.lock(t1.qr.manager, ca, id);
      expect(mine).toMatchObject({ id, disposition: 'in_process', version: 1 });

      const theirs = track(store.lock(t2.qr.manager, ca, id));
      await blockedOnLock(t2.pid);
      expect(theirs.settled()).toBe(false);

      // The first actor moves the request while the second waits.
      await store.update(t1.qr.manager, id, { disposition: 'pending', message: 'waiting for a certificate manager' });
      expect(theirs.settled()).toBe(false);
      await t1.qr.commitTransaction();

      const seen = await theirs.promise;
      expect(seen).toMatchObject({ id, disposition: 'pending', message: 'waiting for a certificate manager', version: 2 });
      await t2.qr.commitTransaction();
    });

    it('locks one row, not the table: another request can be locked meanwhile', async () => {
      const a = await insert(ca);
      const b = await insert(ca);
      const t1 = await openTx();
      const t2 = await openTx();
      await store.lock(t1.qr.manager, ca, a);
      await expect(store.lock(t2.qr.manager, ca, b)).resolves.toMatchObject({ id: b });
      await t2.qr.commitTransaction();
      await t1.qr.commitTransaction();
    });

    it('finds nothing for another CA', async () => {
      const id = await insert(ca);
      await expect(store.transaction((m) => store.lock(m, otherCa, id))).resolves.toBeUndefined();
    });
  });

  describe('update', () => {
    it('sets the disposition, bumps the version, and only touches decidedBy / cert fields when given', async () => {
      const id = await insert(ca);
      await store.transaction((m) =>
        store.update(m, id, {
          disposition: 'pending',
          message: 'pend',
          decidedBy: { rule: 'manual-approval', field: 'subject', value: 'CN=a.example' },
          template: 'WebServer',
          certSubject: [{ type: 'CN', value: 'a.example' }],
          certNotBefore: new Date('2030-01-01T00:00:00Z'),
          certNotAfter: new Date('2030-02-01T00:00:00Z'),
        }),
      );
      await store.transaction((m) => store.update(m, id, { disposition: 'in_process', message: 'resubmitted' }));
      const row = await store.get(ca, id);
      expect(row).toMatchObject({
        disposition: 'in_process',
        message: 'resubmitted',
        decidedBy: { rule: 'manual-approval', field: 'subject', value: 'CN=a.example' },
        template: 'WebServer',
        certSubject: [{ type: 'CN', value: 'a.example' }],
        resolvedAt: null,
        version: 3,
      });
      await store.transaction((m) => store.update(m, id, { disposition: 'denied', message: 'no', decidedBy: null, resolved: true }));
      expect(await store.get(ca, id)).toMatchObject({ disposition: 'denied', decidedBy: null, version: 4, resolvedAt: expect.any(Date) });
    });
  });

  describe('retrieval', () => {
    it('stores only a SHA-256 as the retrieval secret: anything else is refused by the schema', async () => {
      const id = await insert(ca);
      const sha = randomHex(32);
      await store.transaction((m) => store.replaceRetrievalSecret(m, ca, id, sha));
      expect((await store.get(ca, id))?.retrievalSecretSha256).toBe(sha);
      await quietly(() =>
        expect(store.transaction((m) => store.replaceRetrievalSecret(m, ca, id, `sgr_${'A'.repeat(43)}`))).rejects.toThrow(/request_retrieval_secret_is_hash/),
      );
      // Another CA's request of the same id is not touched.
      await store.transaction((m) => store.replaceRetrievalSecret(m, otherCa, id, randomHex(32)));
      expect((await store.get(ca, id))?.retrievalSecretSha256).toBe(sha);
    });

    it('claimFirstRetrieval is true once, for one of many concurrent callers, and only while awaiting', async () => {
      const id = await insert(ca);
      await expect(store.transaction((m) => store.claimFirstRetrieval(m, ca, id))).resolves.toBe(false);
      await store.transaction((m) => store.updateMany(m, [{ id, disposition: Disposition.InProcess, message: '', awaitingRetrieval: true }]));
      expect((await store.get(ca, id))?.awaitingRetrieval).toBe(true);
      await expect(store.transaction((m) => store.claimFirstRetrieval(m, otherCa, id))).resolves.toBe(false);
      const claims = await Promise.all(Array.from({ length: 5 }, () => store.transaction((m) => store.claimFirstRetrieval(m, ca, id))));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await store.get(ca, id))?.awaitingRetrieval).toBe(false);
    });
  });

  describe('serials and certificates', () => {
    const reserve = async (c: string, serial: string, requestId: number) => (await store.reserveSerialsIn(store.ds.manager, c, [{ serial, requestId }])).has(serial);

    it('reserveSerialsIn reserves several serials in one statement; one reserved already, or twice in the batch, is missing from the answer', async () => {
      const [a, b] = [await insert(ca), await insert(ca)];
      const [s1, s2] = [`5a${randomHex(15)}`, `5b${randomHex(15)}`];
      expect(await store.reserveSerialsIn(store.ds.manager, ca, [{ serial: s1, requestId: a }, { serial: s2, requestId: b }, { serial: s1, requestId: b }])).toEqual(new Set([s1, s2]));
      expect(await store.serialHolder(store.ds.manager, ca, s1)).toBe(a);
      expect(await store.reserveSerialsIn(store.ds.manager, ca, [{ serial: s2, requestId: a }])).toEqual(new Set());
    });

    it('a serial reserved on the CA is refused to every later reservation', async () => {
      const id = await insert(ca);
      const serial = `7f${randomHex(15)}`;
      expect(await reserve(ca, serial, id)).toBe(true);
      expect(await reserve(ca, serial, id)).toBe(false);
      expect(await reserve(ca, serial, await insert(ca))).toBe(false);
      // Serials are per CA.
      expect(await reserve(otherCa, serial, await insert(otherCa))).toBe(true);
    });

    it('stores a certificate only under a reserved serial, one per request', async () => {
      const id = await insert(ca);
      const cert = (serial: string, requestId = id) => ({
        caName: ca,
        serial,
        requestId,
        der: Buffer.from('3003020101', 'hex'),
        sha256: randomHex(32),
        subject: 'CN=a.example',
        template: null,
        notBefore: new Date('2030-01-01T00:00:00Z'),
        notAfter: new Date('2030-02-01T00:00:00Z'),
      });
      const before = await store.countCertificates(ca);
      await quietly(() => expect(store.transaction((m) => store.insertCertificate(m, cert(`11${randomHex(15)}`)))).rejects.toThrow(/foreign key/));

      const serial = `22${randomHex(15)}`;
      expect(await reserve(ca, serial, id)).toBe(true);
      await store.transaction((m) => store.insertCertificate(m, cert(serial)));
      expect(await store.certificateOf(ca, id)).toMatchObject({ serial, requestId: id, revokedAt: null, revokedReason: null });
      expect(await store.countCertificates(ca)).toBe(before + 1);

      const second = `33${randomHex(15)}`;
      expect(await reserve(ca, second, id)).toBe(true);
      await quietly(() => expect(store.transaction((m) => store.insertCertificate(m, cert(second)))).rejects.toThrow(/unique|duplicate/));
    });
  });

  describe('parkExpired', () => {
    it('moves in-process requests whose lease ran out to pending and returns their ids as numbers', async () => {
      const caName = testCaName('park');
      const old1 = await insert(caName);
      const old2 = await insert(caName);
      const fresh = await insert(caName);
      const oldPending = await insert(caName);
      const otherCasOld = await insert(`${caName}-x`);
      await ds.query(`UPDATE request SET lease_until = now() - interval '1 second' WHERE id = ANY($1::bigint[])`, [[old1, old2, oldPending, otherCasOld]]);
      await ds.query(`UPDATE request SET disposition = 'pending' WHERE id = $1`, [oldPending]);

      const parked = await store.parkExpired(caName, 120_000);
      expect([...parked].sort((a, b) => a - b)).toEqual([old1, old2]);
      for (const id of parked) expect(typeof id).toBe('number');

      expect(await store.get(caName, old1)).toMatchObject({
        disposition: 'pending',
        message: 'processing was interrupted; resubmit to continue',
        version: 2,
      });
      expect(await store.get(caName, fresh)).toMatchObject({ disposition: 'in_process', version: 1 });
      expect(await store.get(caName, oldPending)).toMatchObject({ disposition: 'pending', version: 1 });
      expect(await store.get(`${caName}-x`, otherCasOld)).toMatchObject({ disposition: 'in_process' });

      // Each move is audited like any other transition.
      const audit = await ds.query(
        `SELECT request_id, actor, action, before_disposition, after_disposition FROM audit_log WHERE ca_name = $1 ORDER BY request_id`,
        [caName],
      );
      expect(audit).toEqual(
        [old1, old2].sort((a, b) => a - b).map((id) => ({ request_id: String(id), actor: 'ca', action: 'request.park', before_disposition: 'in_process', after_disposition: 'pending' })),
      );

      // Nothing left to park.
      await expect(store.parkExpired(caName, 120_000)).resolves.toEqual([]);
    });

    it('counts the lease of a row from before leases from its submit', async () => {
      const caName = testCaName('park');
      const id = await insert(caName);
      await ds.query(`UPDATE request SET submitted_at = now() - interval '90 seconds', lease_until = NULL WHERE id = $1`, [id]);
      await expect(store.parkExpired(caName, 120_000)).resolves.toEqual([]);
      await expect(store.parkExpired(caName, 60_000)).resolves.toEqual([id]);
    });
  });

  it('replaceExtensions rewrites only the given origins', async () => {
    const id = await insert(ca);
    const ku = { oid: '2.5.29.15', critical: true, value: Buffer.from('03020780', 'hex'), disabled: false };
    await store.transaction((m) =>
      store.replaceExtensions(m, id, ['policy', 'admin'], [
        { ...ku, origin: 'policy' },
        { ...ku, origin: 'admin', disabled: true },
      ]),
    );
    await store.transaction((m) => store.replaceExtensions(m, id, ['policy'], [{ ...ku, oid: '2.5.29.37', origin: 'policy', value: Buffer.from('300a06082b06010505070301', 'hex') }]));
    const exts = await store.extensions(id);
    expect(exts.map((e) => `${e.origin}:${e.oid}:${e.disabled}`)).toEqual(['admin:2.5.29.15:true', 'policy:2.5.29.37:false', 'request:2.5.29.19:false']);
  });
});
