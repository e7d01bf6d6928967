import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { certificateNames } from '@signet/x509';
import { ErrorCode, ExitEvent, requesterNameOf, SignetError, type Actor, type CertificateStatus, type Identity, type RevocationProof } from '@signet/contracts';
import { type EntityManager } from 'typeorm';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxStore } from '../outbox/outbox.store';
import { RequestStore, type RequestRow } from '../requests/request.store';
import { RequestAction, transition } from '../requests/request-state';
import { AdminGuard } from './admin-guard';
import { toStatus } from './admin-read.service';
import { AdminStore, type AdminCertificateRow } from './admin.store';
import { checkRevocation, reasonName } from './revocation';

/**
 * ICertAdmin on certificates: RevokeCertificate (repeatable) and its
 * MAXDWORD form, release from hold. The request row is locked first, then
 * the certificate row — the same order everywhere, so two officers acting
 * on one certificate wait for each other instead of deadlocking.
 */
@Injectable()
export class CertificateAdminService {
  private readonly log = new Logger('CertificateAdmin');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly guard: AdminGuard,
    private readonly requests: RequestStore,
    private readonly store: AdminStore,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditStore,
    private readonly relay: OutboxRelay,
  ) {}

  private get ca(): string {
    return this.config.caName;
  }

  async revoke(actor: Actor, r: { serial: string; reason: number; effectiveAt?: string; invalidityDate?: string }): Promise<CertificateStatus> {
    await this.guard.check(actor, 'revoke', { serial: r.serial });
    return this.applyRevoke(actor.name, r);
  }

  /**
   * A revocation a front door asks for on behalf of an enrollee (ADR 0035):
   * the certificate must be the one the requester presented (its SHA-256);
   * with proof `requester` the identity must be the request's requester,
   * with `authorizations` the names it proved must cover every name of the
   * certificate. A certificate that is not theirs answers like an unknown one.
   */
  async revokeForEnrollee(who: { identity: Identity; proof: RevocationProof; certificateSha256: string }, r: { serial: string; reason: number }): Promise<CertificateStatus> {
    const requester = requesterNameOf(who.identity);
    const actor = { requester, 'certificate-key': `${requester} (holder of the certificate's key)`, authorizations: `${requester} (authorised for all its names)` }[who.proof];
    return this.applyRevoke(actor, r, (row, cert) => {
      const sameCertificate = createHash('sha256').update(cert.der).digest('hex') === who.certificateSha256;
      const theirs = who.proof === 'requester' ? row.requesterName === requester : who.proof === 'authorizations' ? namesCovered(cert.der, who.identity) : true;
      if (!sameCertificate || !theirs) {
        throw new SignetError(ErrorCode.NotFound, `certificate ${r.serial} not found`, { serial: r.serial });
      }
      // An enrollee revokes once; changing the reason of a revocation is an officer's.
      if (cert.revokedAt !== null) throw new SignetError(ErrorCode.WrongState, `certificate ${r.serial}: already revoked`, { serial: r.serial, reason: cert.reason });
    });
  }

  private async applyRevoke(
    actorName: string,
    r: { serial: string; reason: number; effectiveAt?: string; invalidityDate?: string },
    mayRevoke: (row: RequestRow, cert: AdminCertificateRow) => void = () => undefined,
  ): Promise<CertificateStatus> {
    const status = await this.inLockedCertificate(r.serial, RequestAction.Revoke, async (m, row, cert, to) => {
      mayRevoke(row, cert);
      const check = checkRevocation({ revoked: cert.revokedAt !== null, reason: cert.reason }, r.reason);
      if (!check.ok) throw new SignetError(ErrorCode.WrongState, `certificate ${r.serial}: ${check.reason}`, { serial: r.serial, reason: cert.reason });
      await this.store.revoke(m, this.ca, r.serial, {
        reason: r.reason,
        effectiveAt: r.effectiveAt ? new Date(r.effectiveAt) : null,
        invalidityDate: r.invalidityDate ? new Date(r.invalidityDate) : null,
      });
      const message = `Revoked by ${actorName} (${reasonName(r.reason)})`;
      await this.requests.update(m, row.id, { disposition: to, message });
      const after = (await this.store.certificate(this.ca, r.serial, m))!;
      await this.outbox.enqueue(m, this.ca, ExitEvent.CertificateRevoked, {
        requestId: row.id,
        disposition: to,
        serial: r.serial,
        subject: cert.subject,
        template: cert.template,
        message,
      });
      await this.audit.append(m, this.ca, {
        actor: actorName,
        action: 'certificate.revoke',
        requestId: row.id,
        serial: r.serial,
        before: row.disposition,
        after: to,
        details: {
          reason: r.reason,
          reasonName: reasonName(r.reason),
          effectiveAt: after.effectiveAt?.toISOString(),
          invalidityDate: after.invalidityDate?.toISOString(),
          ...(cert.revokedAt ? { previous: { reason: cert.reason, effectiveAt: cert.effectiveAt?.toISOString() } } : {}),
        },
      });
      return toStatus(r.serial, after);
    });
    this.relay.wake();
    this.log.log(`certificate ${r.serial} revoked (${reasonName(r.reason)}) by ${actorName}`);
    return status;
  }

  /**
   * Release from hold (RevokeCertificate with MAXDWORD): only from
   * certificateHold. Exit modules learn of it through certificate.revoked
   * with disposition "issued" — the event that told them about the hold.
   */
  async release(actor: Actor, serial: string): Promise<CertificateStatus> {
    await this.guard.check(actor, 'release', { serial });
    const status = await this.inLockedCertificate(serial, RequestAction.Release, async (m, row, cert, to) => {
      await this.store.release(m, this.ca, serial);
      const message = `Released from hold by ${actor.name}`;
      await this.requests.update(m, row.id, { disposition: to, message });
      await this.outbox.enqueue(m, this.ca, ExitEvent.CertificateRevoked, {
        requestId: row.id,
        disposition: to,
        serial,
        subject: cert.subject,
        template: cert.template,
        message,
      });
      await this.audit.append(m, this.ca, {
        actor: actor.name,
        action: 'certificate.release',
        requestId: row.id,
        serial,
        before: row.disposition,
        after: to,
        details: { previous: { reason: cert.reason, effectiveAt: cert.effectiveAt?.toISOString() } },
      });
      return toStatus(serial, (await this.store.certificate(this.ca, serial, m))!);
    });
    this.relay.wake();
    this.log.log(`certificate ${serial} released from hold by ${actor.name}`);
    return status;
  }

  private async inLockedCertificate<T>(
    serial: string,
    action: RequestAction,
    fn: (m: EntityManager, row: RequestRow, cert: AdminCertificateRow, to: RequestRow['disposition']) => Promise<T>,
  ): Promise<T> {
    const found = await this.store.certificate(this.ca, serial);
    if (!found) throw new SignetError(ErrorCode.NotFound, `certificate ${serial} not found`, { serial });
    return this.requests.transaction(async (m) => {
      const row = await this.requests.lock(m, this.ca, found.requestId);
      const cert = await this.store.lockCertificate(m, this.ca, serial);
      if (!row || !cert) throw new SignetError(ErrorCode.NotFound, `certificate ${serial} not found`, { serial });
      const t = transition(row.disposition, action, { revokedReason: cert.reason });
      if (!t.ok) throw new SignetError(ErrorCode.WrongState, `certificate ${serial}: ${t.reason}`, { serial, disposition: row.disposition, reason: cert.reason });
      return fn(m, row, cert, t.to);
    });
  }
}

/** Every name of the certificate is one the identity proved (its DNS and IP names, nothing else; a SAN kind that does not decode covers nothing). */
function namesCovered(der: Buffer, identity: Identity): boolean {
  let names: ReturnType<typeof certificateNames>;
  try {
    names = certificateNames(der);
  } catch {
    return false;
  }
  const proved = new Set(identity.names.map((n) => `${n.type}:${n.type === 'dns' ? n.value.toLowerCase() : n.value}`));
  return !!names?.length && names.every((n) => proved.has(`${n.type}:${n.value}`));
}
