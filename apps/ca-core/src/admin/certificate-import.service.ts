import { Inject, Injectable, Logger } from '@nestjs/common';
import { Disposition, ErrorCode, ExitEvent, SignetError, type Actor, type RequestDetail } from '@signet/contracts';
import { formatName, toPem } from '@signet/x509';
import { AuditStore } from '../audit/audit.store';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxStore } from '../outbox/outbox.store';
import { RequestStore } from '../requests/request.store';
import { AdminGuard } from './admin-guard';
import { AdminReadService } from './admin-read.service';
import { checkImport } from './certificate-import';

/**
 * ICertAdmin::ImportCertificate (`certutil -importcert`): records a
 * certificate this CA issued that its database does not hold — issued
 * before a restore from an older backup, or before the CA moved to Signet
 * with its key — so it can be listed, revoked, put on CRLs and answered by
 * OCSP like any other. In order:
 *  1. the role check (certificate manager);
 *  2. the checks (certificate-import.ts): one certificate, signed by this
 *     CA's key under its name, not the CA's own;
 *  3. one transaction: a request row born issued (type `imported`, no
 *     certificate request), the serial reserved under its unique key (a
 *     serial the database holds already is ALREADY_EXISTS and nothing is
 *     written), the certificate with its extensions, the
 *     certificate.imported event in the outbox, the audit record;
 *  4. the outbox relay publishes the event; the answer is the new row.
 */
@Injectable()
export class CertificateImportService {
  private readonly log = new Logger('CertificateImport');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly keys: CaKeysService,
    private readonly guard: AdminGuard,
    private readonly requests: RequestStore,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditStore,
    private readonly relay: OutboxRelay,
    private readonly read: AdminReadService,
  ) {}

  async importCertificate(actor: Actor, text: string): Promise<RequestDetail> {
    const ca = this.config.caName;
    // 1.
    await this.guard.check(actor, 'importCertificate');
    // 2.
    const { der, summary: c } = await checkImport(text, { certificateDer: this.keys.ca.certificateDer });
    const serial = c.serialHex;
    const subject = formatName(c.subject);
    const message = `Imported by ${actor.name}`;
    // 3.
    const requestId = await this.requests.transaction(async (m) => {
      const id = await this.requests.insertImported(m, { caName: ca, requesterName: actor.name, subject: c.subject, subjectText: subject, notBefore: c.notBefore, notAfter: c.notAfter, sha256: c.sha256, message });
      if (!(await this.requests.reserveSerialIn(m, ca, serial, id))) {
        const held = await this.requests.serialHolder(m, ca, serial);
        throw new SignetError(ErrorCode.AlreadyExists, `serial ${serial} is in this CA's database already${held ? ` (request ${held})` : ''}`, { serial, ...(held ? { requestId: held } : {}) });
      }
      await this.requests.insertCertificate(m, { caName: ca, serial, requestId: id, der, sha256: c.sha256, subject, template: null, notBefore: c.notBefore, notAfter: c.notAfter });
      await this.requests.replaceExtensions(m, id, ['server'], c.extensions.map((e) => ({ oid: e.oid, origin: 'server' as const, critical: e.critical, disabled: false, value: e.value })));
      await this.outbox.enqueue(m, ca, ExitEvent.CertificateImported, {
        requestId: id,
        disposition: Disposition.Issued,
        serial,
        subject,
        template: null,
        certificate: toPem(der, 'CERTIFICATE'),
        message,
      });
      await this.audit.append(m, ca, {
        actor: actor.name,
        action: 'certificate.import',
        requestId: id,
        serial,
        after: Disposition.Issued,
        details: { sha256: c.sha256, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() },
      });
      return id;
    });
    // 4.
    this.relay.wake();
    this.log.log(`certificate ${serial} imported as request ${requestId} by ${actor.name}`);
    return this.read.requestDetail(requestId);
  }
}
