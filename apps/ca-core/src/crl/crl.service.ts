import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, ExitEvent, SignetError } from '@signet/contracts';
import { CrlBuilder } from '@signet/x509';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
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
 * sequence, each CRL stored with a `crl.issued` event in one transaction.
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
    const out = (await this.locked(true, (m) => this.issue(m, delta, actor)))!;
    this.relay.wake();
    return out;
  }

  /** On the schedule: issues only what is due, and skips when another replica is issuing right now. */
  async publishIfDue(): Promise<IssuedCrl | undefined> {
    const quick = dueCrl(this.clock.now(), this.rc, await this.store.latest(this.ca, false), await this.store.latest(this.ca, true));
    if (!quick) return undefined;
    const out = await this.locked(false, async (m) => {
      // Again under the lock: another replica may have issued it meanwhile.
      const due = dueCrl(this.clock.now(), this.rc, await this.store.latest(this.ca, false, m), await this.store.latest(this.ca, true, m));
      return due ? this.issue(m, due === 'delta', SYSTEM_ACTOR) : undefined;
    });
    if (out) this.relay.wake();
    return out;
  }

  /**
   * Runs `fn` holding the CA's CRL lock, in a REPEATABLE READ transaction
   * begun after the lock was granted: the CRL number and the entries come
   * from one snapshot that includes every CRL committed before. A session
   * lock, released after the commit, so the next holder sees this CRL.
   */
  private async locked<T>(wait: boolean, fn: (m: EntityManager) => Promise<T>): Promise<T | undefined> {
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
        await qr.startTransaction('REPEATABLE READ');
        try {
          const out = await fn(qr.manager);
          await qr.commitTransaction();
          return out;
        } catch (e) {
          await qr.rollbackTransaction().catch(() => undefined);
          throw e;
        }
      } finally {
        await qr.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      }
    } finally {
      await qr.release();
    }
  }

  private async issue(m: EntityManager, wantDelta: boolean, actor: string): Promise<IssuedCrl> {
    const ca = this.keys.ca;
    const started = Date.now();
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

    const baseNumber = delta ? base!.number : null;
    await this.store.insert(m, this.ca, { number, isDelta: delta, baseNumber, thisUpdate, nextUpdate, der, sha256, entries, issuedBy: actor });
    if (!delta && holds.length) await this.store.recordHolds(m, this.ca, number, holds);
    await this.store.prune(m, this.ca, new Date(thisUpdate.getTime() - this.rc.historyMs));
    const kind = delta ? `delta CRL ${number} (base ${baseNumber})` : `base CRL ${number}`;
    await this.outbox.enqueue(m, this.ca, ExitEvent.CrlIssued, {
      message: `${kind}: ${entries} entries, this update ${thisUpdate.toISOString()}, next update ${nextUpdate.toISOString()}`,
      crl: { number, delta, baseNumber, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), entries, sha256 },
    });
    // An administrator's publication is an admin action and goes into the audit log; the
    // schedule's own CRLs are recorded by the crl row (issued_by) and the event.
    if (actor !== SYSTEM_ACTOR) {
      await this.audit.append(m, this.ca, {
        actor,
        action: 'crl.publish',
        details: { number, delta, baseNumber, entries, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), sha256 },
      });
    }
    this.log.log(`${kind} issued by ${actor}: ${entries} entries, ${der.length} bytes in ${Date.now() - started} ms`);
    return { number, delta, baseNumber, thisUpdate, nextUpdate, entries, size: der.length };
  }
}
