import { Inject, Injectable } from '@nestjs/common';
import { Disposition, ErrorCode, ExitEvent, SignetError, type DecidingRule, type Identity } from '@signet/contracts';
import { formatName, toPem } from '@signet/x509';
import { createHash } from 'node:crypto';
import { AuditStore, type AuditInput } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { EnrollmentSecretStore } from '../enrollment-secrets';
import { OneTimeCredentialStore } from '../identity';
import { OutboxStore, type EventFields } from '../outbox/outbox.store';
import { type CertificateDraft } from './certificate-draft';
import { GroupCommit, RefuseAndRetry, Refused } from './group-commit';
import { RequestStore, type NewRequest, type RequestRow } from './request.store';
import { type RequestAction, transition } from './request-state';

/** Step 1's write for one request: the request, its identity's one-time credential, its audit record. */
export interface SubmitItem {
  request: NewRequest;
  identity: Identity;
  requester: string;
}

/** The request stored, or its idempotency key already taken. */
export type Stored = { id: number; submittedAt: Date } | { taken: true };

/** Step 5's write for one request: one transition with everything that goes with it. */
export interface FinishItem {
  row: Pick<RequestRow, 'id' | 'subject'>;
  action: RequestAction;
  /** Already free of control characters. */
  message: string;
  actor: string;
  decidedBy?: DecidingRule;
  draft?: CertificateDraft;
  certificate?: { serial: string; der: Buffer };
  awaitingRetrieval?: boolean;
  /** A park whose submitter's retry may carry on with the request (its processing was interrupted, ADR 0037). */
  resumable?: boolean;
}

/** What a finished request became: its state before and after. */
export interface Finished {
  before: Disposition;
  after: Disposition;
}

/**
 * The storage half of issuance, batched (group commit, ADR 0037). Step 1
 * (persist) and step 5 (commit an outcome) of many requests share one
 * transaction each, with one multi-row statement per table and one append
 * to the audit chain, so a certificate costs a fraction of a commit and of
 * a log flush. Every request keeps its own guarantees: its rows are
 * written in the transaction that records it or not at all; its transition
 * is checked by the state machine under its row lock; its audit entries
 * are links of the CA's one chain, in batch order.
 */
@Injectable()
export class IssuanceBatches {
  private readonly submits: GroupCommit<SubmitItem, Stored>;
  private readonly finishes: GroupCommit<FinishItem, Finished>;
  private readonly serials: GroupCommit<{ serial: string; requestId: number }, boolean>;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly store: RequestStore,
    private readonly audit: AuditStore,
    private readonly outbox: OutboxStore,
    private readonly oneTime: OneTimeCredentialStore,
    private readonly secrets: EnrollmentSecretStore,
  ) {
    const window = { windowMs: config.batchWindowMs, max: config.batchMax };
    this.submits = new GroupCommit({ ...window, write: (items) => this.writeSubmits(items) });
    this.finishes = new GroupCommit({ ...window, write: (items) => this.writeFinishes(items) });
    // One statement, committed by itself: the serials are durable before anything is signed.
    this.serials = new GroupCommit({ ...window, write: async (items) => {
      const reserved = await this.store.reserveSerialsIn(this.store.ds.manager, this.ca, items);
      return items.map((i) => reserved.has(i.serial));
    } });
  }

  private get ca(): string {
    return this.config.caName;
  }

  /** Step 1: stores the request (with the batch it joins). */
  persist(item: SubmitItem): Promise<Stored> {
    return this.submits.add(item);
  }

  /** Step 3: reserves a serial for the request (with the batch it joins); false when another request holds it. */
  reserveSerial(serial: string, requestId: number): Promise<boolean> {
    return this.serials.add({ serial, requestId });
  }

  /** Step 5: applies one transition (with the batch it joins). */
  finish(item: FinishItem): Promise<Finished> {
    return this.finishes.add(item);
  }

  /** Waits for every batch under way (shutdown). */
  async drain(): Promise<void> {
    await Promise.all([this.submits.drain(), this.serials.drain(), this.finishes.drain()]);
  }

  private writeSubmits(items: SubmitItem[]): Promise<Stored[]> {
    return this.store.transaction(async (m) => {
      const ids = await this.store.insertMany(
        m,
        items.map((i) => i.request),
      );
      const made = items.flatMap((item, i) => (ids[i] ? [{ item, i, id: ids[i]!.id }] : []));
      // A one-time credential that made a request before (or earlier in this batch) refuses its request: written again without it.
      const replayed = await this.oneTime.recordMany(
        m,
        this.ca,
        made.map((x) => ({ identity: x.item.identity, requestId: x.id })),
      );
      if (replayed.length) {
        throw new RefuseAndRetry(
          new Map(replayed.map((k) => [made[k].i, new SignetError(ErrorCode.CredentialReplayed, 'this one-time credential has been used for a request already', { method: made[k].item.identity.method })])),
        );
      }
      for (const x of made) {
        const identity = x.item.identity;
        // An enrollment secret is spent by the request it made (ADR 0032); one revoked or expired since the front door checked it refuses the submit.
        if (identity.method !== 'enrollment-secret' || identity.oneTime === undefined) continue;
        try {
          await this.secrets.markUsed(m, identity.oneTime, x.id);
        } catch (e) {
          if (e instanceof SignetError) throw new RefuseAndRetry(new Map([[x.i, e]]));
          throw e;
        }
      }
      await this.audit.appendMany(
        m,
        this.ca,
        made.map((x) => ({ actor: x.item.requester, action: 'request.submit', requestId: x.id, after: Disposition.InProcess, details: identityEvidence(x.item.identity) })),
      );
      return items.map((_, i): Stored => ids[i] ?? { taken: true });
    });
  }

  private writeFinishes(items: FinishItem[]): Promise<Array<Finished | Refused>> {
    return this.store.transaction(async (m) => {
      const states = await this.store.lockMany(
        m,
        this.ca,
        items.map((i) => i.row.id),
      );
      const out: Array<Finished | Refused> = [];
      const go: Array<{ item: FinishItem; before: Disposition; after: Disposition }> = [];
      for (const item of items) {
        const id = item.row.id;
        const from = states.get(id);
        if (from === undefined) {
          out.push(new Refused(new SignetError(ErrorCode.NotFound, `request ${id} not found`)));
          continue;
        }
        const t = transition(from, item.action);
        if (!t.ok) {
          out.push(new Refused(new SignetError(ErrorCode.WrongState, `request ${id}: ${t.reason}`, { requestId: id, disposition: from })));
          continue;
        }
        // A second transition of the same request in one batch starts where the first left it.
        states.set(id, t.to);
        go.push({ item, before: from, after: t.to });
        out.push({ before: from, after: t.to });
      }
      await this.store.updateMany(
        m,
        go.map(({ item, after }) => {
          const d = item.draft;
          return {
            id: item.row.id,
            disposition: after,
            message: item.message,
            decidedBy: item.decidedBy ?? null,
            template: d?.template ?? null,
            certSubject: d ? d.subject : undefined,
            certNotBefore: d?.notBefore,
            certNotAfter: d?.notAfter,
            resolved: after !== Disposition.Pending,
            awaitingRetrieval: item.certificate !== undefined && item.awaitingRetrieval === true,
            resumable: item.resumable === true,
          };
        }),
      );
      const drafted = go.filter((g) => g.item.draft);
      await this.store.replacePolicyExtensionsMany(
        m,
        drafted.map((g) => g.item.row.id),
        drafted.flatMap((g) => g.item.draft!.extensions.map((e) => ({ ...e, requestId: g.item.row.id }))),
      );
      const subjectOf = (item: FinishItem) => (item.draft ? formatName(item.draft.subject) : item.row.subject);
      await this.store.insertCertificates(
        m,
        go
          .filter((g) => g.item.certificate)
          .map(({ item }) => ({
            caName: this.ca,
            serial: item.certificate!.serial,
            requestId: item.row.id,
            der: item.certificate!.der,
            sha256: createHash('sha256').update(item.certificate!.der).digest('hex'),
            subject: subjectOf(item),
            template: item.draft?.template ?? null,
            notBefore: item.draft!.notBefore,
            notAfter: item.draft!.notAfter,
          })),
      );
      const events: Array<{ event: ExitEvent; fields: EventFields }> = [];
      for (const { item, after } of go) {
        const event = after === Disposition.Issued ? ExitEvent.CertificateIssued : after === Disposition.Pending ? ExitEvent.RequestPending : after === Disposition.Denied ? ExitEvent.RequestDenied : undefined;
        if (!event) continue;
        events.push({
          event,
          fields: {
            requestId: item.row.id,
            disposition: after,
            serial: item.certificate?.serial,
            subject: subjectOf(item),
            template: item.draft?.template ?? null,
            certificate: item.certificate ? toPem(item.certificate.der, 'CERTIFICATE') : undefined,
            message: item.message,
          },
        });
      }
      await this.outbox.enqueueMany(m, this.ca, events);
      await this.audit.appendMany(
        m,
        this.ca,
        go.map(
          ({ item, before, after }): AuditInput => ({
            actor: item.actor,
            action: `request.${item.action}`,
            requestId: item.row.id,
            serial: item.certificate?.serial,
            before,
            after,
            details: item.decidedBy ? { decidedBy: item.decidedBy } : {},
          }),
        ),
      );
      return out;
    });
  }
}

/** What the audit log keeps of the submitter's identity: enough to find the credential again, never the credential. */
export function identityEvidence(identity: Identity): Record<string, unknown> {
  return { identity: { method: identity.method, principal: identity.principal, ...(identity.oneTime !== undefined ? { oneTime: identity.oneTime } : {}), evidence: identity.evidence } };
}
