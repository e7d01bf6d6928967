import { Inject, Injectable } from '@nestjs/common';
import { fromPem, parseCertificate } from '@signet/x509';
import { type AcmeAnswer } from './acme.answer';
import { type AcmeStore, type OrderRow } from './acme.store';
import { ACME_STORE } from './acme.tokens';
import { keyIdOf, parseCertId, suggestedWindow } from './ari';
import { AcmeProblem } from './problem';

/** How often a client should ask again (RFC 9773 4.3: Retry-After on every answer). */
export const RENEWAL_INFO_RETRY_AFTER_SECONDS = 6 * 3600;

/**
 * ACME Renewal Information (RFC 9773) for certificates this front door
 * delivered: the suggested window, and the check behind newOrder's
 * `replaces`.
 */
@Injectable()
export class AcmeRenewalService {
  constructor(@Inject(ACME_STORE) private readonly store: AcmeStore) {}

  /** GET renewalInfo/{certID}: unauthenticated, like the certificate's own public data. */
  async renewalInfo(certId: string): Promise<AcmeAnswer> {
    const { certificate } = await this.find(certId);
    return {
      status: 200,
      headers: { 'Retry-After': String(RENEWAL_INFO_RETRY_AFTER_SECONDS) },
      body: { suggestedWindow: suggestedWindow(certificate.notBefore, certificate.notAfter) },
    };
  }

  /** The order whose certificate `certId` names, if `accountId` received it (newOrder `replaces`). */
  async replaced(certId: string, accountId: string): Promise<OrderRow> {
    const found = await this.find(certId).catch(() => undefined);
    if (!found || found.order.accountId !== accountId) throw new AcmeProblem('malformed', 'replaces names no certificate this account ordered');
    return found.order;
  }

  private async find(certId: string): Promise<{ order: OrderRow; certificate: ReturnType<typeof parseCertificate> }> {
    const id = parseCertId(certId);
    const order = await this.store.orderBySerial(id.serialHex);
    const certificate = order?.certificate ? parseCertificate(fromPem(order.certificate, 'CERTIFICATE')) : undefined;
    if (!order || !certificate || keyIdOf(certificate) !== id.keyIdHex) throw new AcmeProblem('malformed', 'no certificate with this identifier', { status: 404 });
    return { order, certificate };
  }
}
