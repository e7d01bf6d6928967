import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, ExitEvent, SignetError } from '@signet/contracts';
import { CrlBuilder } from '@signet/x509';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { AuditStore } from '../audit/audit.store';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Clock } from '../clock';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxStore } from '../outbox/outbox.store';
import { dueCrl } from './crl-schedule';
import { CrlStore } from './crl.store';
import { REVOCATION_CONFIG, type RevocationConfig } from './revocation-config';

export interface IssuedCrl {
  number: number;
  delta: boolean;
  baseNumber: number | null;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  size: number;
}

/** A CRL built and signed from one snapshot, not stored yet: what IssuedCrl reports, with the bytes instead of their size. */
interface BuiltCrl extends Omit<IssuedCrl, 'size'> {
  der: Buffer;
  sha256: string;
  /** The base's certificateHold entries (for removeFromCRL in its deltas). */
  holds: Array<{ serial: string; revokedAt: Date }>;
}

/**
 * A delta lists revocations made since its base; a revocation whose
 * transaction began before the base's snapshot but committed after it was
 * in neither. Deltas therefore look back this much further: listing an
 * entry the base already has is harmless, missing one is not.
 */
const DELTA_LOOKBACK_MS = 10 * 60_000;

/** The actor of CRLs nobody asked for (schedule, after a revocation). */
export const SYSTEM_ACTOR = 'ca';

/**
 * Issues CRLs (RFC 5280 5): base CRLs list every revoked certificate,
 * delta CRLs what changed since the current base. One issuer at a time per
 * CA across all replicas (a PostgreSQL advisory lock), numbers from one
 * sequence; each CRL read and signed from one snapshot, then stored with its
 * `crl.issued` event (and an administrator's audit entry) in one transaction (ADR 0033).
 */
@Injectable()
export class CrlService {
  private readonly log = new Logger('Crl');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(REVOCATION_CONFIG) private readonly rc: RevocationConfig,
    private readonly ds: DataSource,
    private readonly keys: CaKeysService,
    private readonly store: CrlStore,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditStore,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  private get ca(): string {
    return this.config.caName;
  }

  /** On demand (admin, or after a revocation): waits its turn, always issues. A delta without a base becomes a base. */
  async publish(delta: boolean, actor: string): Promise<IssuedCrl> {
    const out = (await this.locked(true, (qr) => this.issue(qr, async () => delta, actor)))!;
    this.relay.wake();
    return out;
  }

  /** On the schedule: issues only what is due, and skips when another replica is issuing right now. */
  async publishIfDue(): Promise<IssuedCrl | undefined> {
    const quick = dueCrl(this.clock.now(), this.rc, await this.store.latest(this.ca, false), await this.store.latest(this.ca, true));
    if (!quick) return undefined;
    const out = await this.locked(false, (qr) =>
      this.issue(
        qr,
        async (m) => {
          // Again under the lock: another replica may have issued it meanwhile.
          const due = dueCrl(this.clock.now(), this.rc, await this.store.latest(this.ca, false, m), await this.store.latest(this.ca, true, m));
          return due ? due === 'delta' : undefined;
        },
        SYSTEM_ACTOR,
      ),
    );
    if (out) this.relay.wake();
    return out;
  }

  /**
   * Runs `fn` holding the CA's CRL lock: a session lock, released after
   * `fn`'s transactions committed, so the next holder sees this CRL. Only
   * holders of this lock write CRLs, so what one transaction under it read
   * about CRLs (the next number, the newest base) still holds in the next.
   */
  private async locked<T>(wait: boolean, fn: (qr: QueryRunner) => Promise<T>): Promise<T | undefined> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const key = `signet-crl:${this.ca}`;
    try {
      if (wait) await qr.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [key]);
      else {
        const [{ ok }] = await qr.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [key]);
        if (!ok) return undefined;
      }
      try {
        return await fn(qr);
      } finally {
        await qr.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      }
    } finally {
      await qr.release();
    }
  }

  private async transaction<T>(qr: QueryRunner, isolation: 'REPEATABLE READ' | 'READ COMMITTED', fn: (m: EntityManager) => Promise<T>): Promise<T> {
    await qr.startTransaction(isolation);
    try {
      const out = await fn(qr.manager);
      await qr.commitTransaction();
      return out;
    } catch (e) {
      await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  }

  /**
   * One CRL, in two transactions under the CRL lock (ADR 0033):
   *  1. REPEATABLE READ, read only, begun after the lock was granted: the
   *     number, the base, the entries and thisUpdate come from one snapshot
   *     that includes every CRL committed before; the CRL is built and signed.
   *  2. READ COMMITTED: the CRL, its holds, the pruning, the crl.issued event
   *     and the audit entry, committed together. The audit append must read
   *     the chain head after taking the audit lock, in a fresh statement;
   *     from the first transaction's snapshot it would read a head that
   *     issuances have moved on since, and fork the chain (issue 15).
   * `want` decides, in the snapshot, whether to issue a delta (true), a base
   * (false) or nothing (undefined).
   */
  private async issue(qr: QueryRunner, want: (m: EntityManager) => Promise<boolean | undefined>, actor: string): Promise<IssuedCrl | undefined> {
    const started = Date.now();
    const crl = await this.transaction(qr, 'REPEATABLE READ', async (m) => {
      await m.query(`SET TRANSACTION READ ONLY`);
      const wantDelta = await want(m);
      return wantDelta === undefined ? undefined : this.build(m, wantDelta);
    });
    if (!crl) return undefined;
    await this.transaction(qr, 'READ COMMITTED', (m) => this.record(m, crl, actor));
    const kind = crl.delta ? `delta CRL ${crl.number} (base ${crl.baseNumber})` : `base CRL ${crl.number}`;
    this.log.log(`${kind} issued by ${actor}: ${crl.entries} entries, ${crl.der.length} bytes in ${Date.now() - started} ms`);
    return { number: crl.number, delta: crl.delta, baseNumber: crl.baseNumber, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, entries: crl.entries, size: crl.der.length };
  }

  /** Reads and signs the CRL, all from the caller's snapshot; writes nothing. */
  private async build(m: EntityManager, wantDelta: boolean): Promise<BuiltCrl> {
    const ca = this.keys.ca;
    const base = wantDelta ? await this.store.latest(this.ca, false, m) : undefined;
    const delta = wantDelta && base !== undefined;
    const number = await this.store.nextNumber(m, this.ca);
    // The database's clock decides what is "revoked by now" (revocations are stamped with it);
    // thisUpdate is that instant cut to the second a CRL can carry.
    const [{ at }] = await m.query(`SELECT clock_timestamp() AS at`);
    const listedAt = at as Date;
    const thisUpdate = new Date(Math.floor(listedAt.getTime() / 1000) * 1000);
    let nextUpdate = new Date(thisUpdate.getTime() + (delta ? this.rc.deltaValidityMs : this.rc.baseValidityMs));
    // Nothing this CA signs can be relied on past its own certificate.
    if (nextUpdate > ca.notAfter && ca.notAfter > thisUpdate) nextUpdate = ca.notAfter;
    if (!(nextUpdate > thisUpdate)) throw new SignetError(ErrorCode.Internal, 'the CA certificate has expired; no CRL can be issued');

    const builder = new CrlBuilder({
      issuerCertificateDer: ca.certificateDer,
      signer: ca.signer,
      crlNumber: number,
      thisUpdate,
      nextUpdate,
      ...(delta ? { deltaOf: base!.number } : { freshestCrlUrls: this.rc.freshestCrlUrls }),
    });
    const holds: Array<{ serial: string; revokedAt: Date }> = [];
    if (delta) {
      const since = { ...base!, thisUpdate: new Date(base!.thisUpdate.getTime() - DELTA_LOOKBACK_MS) };
      for (const e of await this.store.changedSince(m, this.ca, since, listedAt, this.rc.expiredRetentionMs)) builder.add(e);
    } else {
      for await (const page of this.store.listed(m, this.ca, listedAt, this.rc.expiredRetentionMs)) {
        for (const e of page) {
          builder.add(e);
          if (e.reason === 6) holds.push({ serial: e.serialHex, revokedAt: e.revocationDate });
        }
      }
    }
    const entries = builder.count;
    const der = await builder.finish();
    const sha256 = createHash('sha256').update(der).digest('hex');
    return { number, delta, baseNumber: delta ? base!.number : null, thisUpdate, nextUpdate, entries, der, sha256, holds };
  }

  /** Stores a built CRL with its event and, for an administrator's, its audit entry (READ COMMITTED). */
  private async record(m: EntityManager, crl: BuiltCrl, actor: string): Promise<void> {
    const { number, delta, baseNumber, thisUpdate, nextUpdate, der, sha256, entries } = crl;
    await this.store.insert(m, this.ca, { number, isDelta: delta, baseNumber, thisUpdate, nextUpdate, der, sha256, entries, issuedBy: actor });
    if (!delta && crl.holds.length) await this.store.recordHolds(m, this.ca, number, crl.holds);
    await this.store.prune(m, this.ca, new Date(thisUpdate.getTime() - this.rc.historyMs));
    const kind = delta ? `delta CRL ${number} (base ${baseNumber})` : `base CRL ${number}`;
    await this.outbox.enqueue(m, this.ca, ExitEvent.CrlIssued, {
      message: `${kind}: ${entries} entries, this update ${thisUpdate.toISOString()}, next update ${nextUpdate.toISOString()}`,
      crl: { number, delta, baseNumber, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), entries, sha256 },
    });
    // An administrator's publication is an admin action and goes into the audit log; the
    // schedule's own CRLs are recorded by the crl row (issued_by) and the event.
    // Last: the audit lock is held from here until the commit.
    if (actor !== SYSTEM_ACTOR) {
      await this.audit.append(m, this.ca, {
        actor,
        action: 'crl.publish',
        details: { number, delta, baseNumber, entries, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), sha256 },
      });
    }
  }
}
