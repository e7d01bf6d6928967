import { Inject, Injectable } from '@nestjs/common';
import { CR_DISP, ErrorCode, SignetError, type CertificateStatus, type RequestDetail } from '@signet/contracts';
import { toPem } from '@signet/x509';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { RequestStore } from '../requests/request.store';
import { AdminStore, type AdminCertificateRow } from './admin.store';

/** CA_DISP_* as ICertAdmin::IsValidCertificate returns them. */
export const CA_DISP = { revoked: 2, valid: 3, invalid: 4 } as const;

/** IsValidCertificate: issued and not revoked? Expiry is not checked (as in AD CS). */
export function toStatus(serial: string, c: AdminCertificateRow | undefined): CertificateStatus {
  if (!c) return { serial, status: 'unknown', caDisposition: CA_DISP.invalid };
  const base = { serial, requestId: c.requestId, notAfter: c.notAfter.toISOString() };
  if (!c.revokedAt) return { ...base, status: 'valid', caDisposition: CA_DISP.valid };
  return {
    ...base,
    status: 'revoked',
    caDisposition: CA_DISP.revoked,
    ...(c.reason !== null ? { reason: c.reason } : {}),
    revokedAt: c.revokedAt.toISOString(),
    ...(c.effectiveAt ? { effectiveAt: c.effectiveAt.toISOString() } : {}),
    ...(c.invalidityDate ? { invalidityDate: c.invalidityDate.toISOString() } : {}),
  };
}

/** Reads for administrators: a request with everything about it, a certificate, a status. */
@Injectable()
export class AdminReadService {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly requests: RequestStore,
    private readonly store: AdminStore,
  ) {}

  async requestDetail(requestId: number): Promise<RequestDetail> {
    const ca = this.config.caName;
    const row = await this.requests.get(ca, requestId);
    if (!row) throw new SignetError(ErrorCode.NotFound, `request ${requestId} not found`, { requestId });
    const [attributes, extensions, cert] = await Promise.all([
      this.store.attributes(requestId),
      this.requests.extensions(requestId),
      this.store.certificateOfRequest(ca, requestId),
    ]);
    return {
      requestId: row.id,
      disposition: row.disposition,
      dispositionCode: CR_DISP[row.disposition],
      message: row.message,
      statusCode: row.statusCode,
      decidedBy: row.decidedBy,
      requesterName: row.requesterName,
      identity: row.identity,
      subject: row.subject,
      template: row.template,
      submittedAt: row.submittedAt.toISOString(),
      resolvedAt: row.resolvedAt ? row.resolvedAt.toISOString() : null,
      attributesRaw: row.attributesRaw,
      attributes,
      extensions: extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64'), origin: e.origin, disabled: e.disabled })),
      requestType: row.requestType,
      request: row.rawRequest.length > 0 ? toPem(row.rawRequest, 'CERTIFICATE REQUEST') : null,
      ...(cert
        ? {
            certificate: {
              serial: cert.serial,
              pem: toPem(cert.der, 'CERTIFICATE'),
              notBefore: cert.notBefore.toISOString(),
              notAfter: cert.notAfter.toISOString(),
              status: toStatus(cert.serial, cert),
            },
          }
        : {}),
    };
  }

  async certificateDetail(serial: string): Promise<RequestDetail> {
    const cert = await this.store.certificate(this.config.caName, serial);
    if (!cert) throw new SignetError(ErrorCode.NotFound, `certificate ${serial} not found`, { serial });
    return this.requestDetail(cert.requestId);
  }

  async status(serial: string): Promise<CertificateStatus> {
    return toStatus(serial, await this.store.certificate(this.config.caName, serial));
  }
}
