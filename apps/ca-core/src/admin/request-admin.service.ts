import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  Disposition,
  ErrorCode,
  ExitEvent,
  LIMITS,
  parseAttributes,
  SignetError,
  type Actor,
  type ExtensionValue,
  type RequestDetail,
  type RequestResult,
} from '@signet/contracts';
import { BOUNDED_EXTENSIONS, caPowers, encodeExtensionValue } from '@signet/x509';
import { type EntityManager } from 'typeorm';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxStore } from '../outbox/outbox.store';
import { SERVER_OWNED_OIDS } from '../requests/certificate-draft';
import { IssuanceService } from '../requests/issuance.service';
import { RequestStore, type RequestRow } from '../requests/request.store';
import { RequestAction, transition } from '../requests/request-state';
import { AdminGuard } from './admin-guard';
import { AdminReadService } from './admin-read.service';
import { AdminStore } from './admin.store';

/** AD CS stores this HRESULT (CERTSRV_E_ADMIN_DENIED_REQUEST) on an administrator's deny, as a signed 32-bit value. */
export const ADMIN_DENIED_STATUS = 0x80094014 | 0;

/**
 * ICertAdmin on requests: resubmit, deny, set attributes, set extension.
 * Every change runs under the request's row lock and the state machine,
 * and writes its audit entry in the same transaction.
 */
@Injectable()
export class RequestAdminService {
  private readonly log = new Logger('RequestAdmin');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly guard: AdminGuard,
    private readonly requests: RequestStore,
    private readonly store: AdminStore,
    private readonly read: AdminReadService,
    private readonly issuance: IssuanceService,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditStore,
    private readonly relay: OutboxRelay,
  ) {}

  private get ca(): string {
    return this.config.caName;
  }

  /**
   * ResubmitRequest: claim the request (pending|denied → in process) in
   * its own transaction first, so of two officers resubmitting at once
   * exactly one wins and the other gets WRONG_STATE; then run steps 2–6 of
   * issuance with newRequest=false. With role separation on, the officer
   * must not be the request's requester (the requester never changes, so
   * reading it before the claim is enough).
   */
  async resubmit(actor: Actor, requestId: number): Promise<RequestResult> {
    await this.guard.check(actor, 'resubmit', { requestId });
    const request = await this.requests.get(this.ca, requestId);
    if (request) await this.guard.checkApproval(actor, request);
    await this.inLockedRequest(requestId, RequestAction.Resubmit, async (m, row, to) => {
      await this.store.claim(m, requestId, `resubmitted by ${actor.name}`, this.config.requestLeaseMs);
      await this.audit.append(m, this.ca, { actor: actor.name, action: 'request.resubmit', requestId, before: row.disposition, after: to });
    });
    this.log.log(`request ${requestId} resubmitted by ${actor.name}`);
    try {
      return await this.issuance.decide(requestId, false, undefined, actor.name);
    } catch (e) {
      // POLICY_UNAVAILABLE has already parked the request; anything else must not leave it stuck in process.
      if (!(e instanceof SignetError && e.code === ErrorCode.PolicyUnavailable)) await this.unclaim(requestId, e);
      throw e;
    }
  }

  private async unclaim(requestId: number, cause: unknown): Promise<void> {
    this.log.error(`resubmit of request ${requestId} failed: ${(cause as Error)?.message ?? String(cause)}`);
    await this.requests
      .transaction(async (m) => {
        const row = await this.requests.lock(m, this.ca, requestId);
        if (row?.disposition !== Disposition.InProcess) return;
        const t = transition(row.disposition, RequestAction.Park);
        if (!t.ok) return;
        await this.requests.update(m, requestId, { disposition: t.to, message: 'the resubmit was interrupted by an error; resubmit again' });
        await this.audit.append(m, this.ca, { actor: 'ca', action: 'request.park', requestId, before: row.disposition, after: t.to });
      })
      .catch((e) => this.log.error(`could not park request ${requestId} again: ${(e as Error).message}`));
  }

  /** DenyRequest: pending → denied, status 0x80094014, "Denied by <officer>". */
  async deny(actor: Actor, requestId: number, reason?: string): Promise<RequestResult> {
    await this.guard.check(actor, 'deny', { requestId });
    if (reason !== undefined) checkText(reason, 'reason');
    const message = `Denied by ${actor.name}${reason ? `: ${reason}` : ''}`;
    const updated = await this.inLockedRequest(requestId, RequestAction.AdminDeny, async (m, row, to) => {
      await this.requests.update(m, requestId, {
        disposition: to,
        message,
        statusCode: ADMIN_DENIED_STATUS,
        decidedBy: { rule: 'officer', value: actor.name },
        resolved: true,
      });
      await this.outbox.enqueue(m, this.ca, ExitEvent.RequestDenied, { requestId, disposition: to, subject: row.subject, template: row.template, message });
      await this.audit.append(m, this.ca, { actor: actor.name, action: 'request.admin-deny', requestId, before: row.disposition, after: to, details: reason ? { reason } : {} });
      return (await this.requests.get(this.ca, requestId, m))!;
    });
    this.relay.wake();
    this.log.log(`request ${requestId} denied by ${actor.name}`);
    return this.issuance.result(updated);
  }

  /** SetRequestAttributes: adds or replaces parsed attributes (origin admin); the raw string never changes. */
  async setAttributes(actor: Actor, requestId: number, attributes: string): Promise<RequestDetail> {
    await this.guard.check(actor, 'setAttributes', { requestId });
    const parsed = parseAttributes(attributes);
    if (parsed.size === 0) throw new SignetError(ErrorCode.BadAttributes, 'no attributes given');
    const entries = [...parsed.entries()].map(([name, a]) => ({ name, displayName: a.name, value: a.value }));
    await this.inLockedRequest(requestId, RequestAction.Edit, async (m, row) => {
      const existing = new Set((await this.store.attributes(requestId, m)).map((a) => a.name));
      const total = new Set([...existing, ...entries.map((e) => e.name)]).size;
      if (total > LIMITS.attributeCount) throw new SignetError(ErrorCode.BadAttributes, `a request holds at most ${LIMITS.attributeCount} attributes`);
      await this.store.setAttributes(m, requestId, entries);
      await this.store.touch(m, requestId);
      await this.audit.append(m, this.ca, {
        actor: actor.name,
        action: 'request.set-attributes',
        requestId,
        before: row.disposition,
        after: row.disposition,
        details: { attributes: Object.fromEntries(entries.map((e) => [e.displayName, e.value])) },
      });
    });
    return this.read.requestDetail(requestId);
  }

  /**
   * SetCertificateExtension: origin admin; on the next pass it takes the
   * place of the policy's extension of the same OID where it narrows it
   * (ADR 0023). An edit that could only make a CA certificate is refused at
   * once while this CA issues none (SIGNET_ALLOW_SUBORDINATE_CA off): AD CS
   * would refuse it at issuance, an officer learns it here.
   */
  async setExtension(
    actor: Actor,
    req: { requestId: number; oid: string; critical: boolean; disabled: boolean; value: ExtensionValue },
  ): Promise<RequestDetail> {
    const { requestId } = req;
    await this.guard.check(actor, 'setExtension', { requestId });
    if (SERVER_OWNED_OIDS.has(req.oid)) throw new SignetError(ErrorCode.BadMessage, `extension ${req.oid} is set by the CA itself`, { oid: req.oid });
    const value = encodeExtensionValue(req.value);
    if (Math.ceil(value.length / 3) * 4 > LIMITS.extensionValueChars) throw new SignetError(ErrorCode.TooLarge, 'extension value is too large');
    const powers = this.config.allowSubordinateCa ? [] : caPowers(req.oid, { critical: req.critical, value, disabled: req.disabled });
    if (powers.length > 0) {
      this.log.warn(`refused ${actor.name}'s ${BOUNDED_EXTENSIONS[req.oid]} on request ${requestId}: ${powers.join(', ')}`);
      throw new SignetError(
        ErrorCode.BadMessage,
        `${BOUNDED_EXTENSIONS[req.oid]} with ${powers.join(', ')} would make request ${requestId}'s certificate a CA certificate, which this CA never signs (SIGNET_ALLOW_SUBORDINATE_CA is off)`,
        { requestId, oid: req.oid, extension: BOUNDED_EXTENSIONS[req.oid], powers },
      );
    }
    await this.inLockedRequest(requestId, RequestAction.Edit, async (m, row) => {
      await this.store.setExtension(m, requestId, { oid: req.oid, critical: req.critical, disabled: req.disabled, value });
      await this.store.touch(m, requestId);
      await this.audit.append(m, this.ca, {
        actor: actor.name,
        action: 'request.set-extension',
        requestId,
        before: row.disposition,
        after: row.disposition,
        details: { oid: req.oid, critical: req.critical, disabled: req.disabled, type: req.value.type, value: value.toString('base64') },
      });
    });
    return this.read.requestDetail(requestId);
  }

  /** Runs `fn` under the request's row lock when the state machine allows `action`; WRONG_STATE otherwise. */
  private inLockedRequest<T>(requestId: number, action: RequestAction, fn: (m: EntityManager, row: RequestRow, to: Disposition) => Promise<T>): Promise<T> {
    return this.requests.transaction(async (m) => {
      const row = await this.requests.lock(m, this.ca, requestId);
      if (!row) throw new SignetError(ErrorCode.NotFound, `request ${requestId} not found`, { requestId });
      const t = transition(row.disposition, action);
      if (!t.ok) throw new SignetError(ErrorCode.WrongState, `request ${requestId}: ${t.reason}`, { requestId, disposition: row.disposition });
      return fn(m, row, t.to);
    });
  }
}

/** Free text an officer types: no control characters (they would end up in messages, events and logs). */
export function checkText(s: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(s)) throw new SignetError(ErrorCode.BadMessage, `${what} must not contain control characters`);
}
