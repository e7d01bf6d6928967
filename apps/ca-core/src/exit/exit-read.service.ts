import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, SignetError, type Disposition, type ExitReadReply, type ExtensionOrigin, type RequestType } from '@signet/contracts';
import { toPem } from '@signet/x509';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

/**
 * ICertServerExit: everything an exit module may read about one request,
 * after SetContext(requestId). Read-only by construction: only SELECTs, in
 * one READ ONLY transaction so the request, its attributes, extensions and
 * certificate come from the same snapshot.
 *
 * Its own SQL rather than RequestStore's: the store is the write path's
 * (and another feature's) to change; these reads are shaped by the contract.
 */
@Injectable()
export class ExitReadService {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {}

  async read(requestId: number): Promise<ExitReadReply> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [req] = await qr.query(
        `SELECT id, disposition, disposition_message, requester_name, identity, request_type, submitted_at, resolved_at, attributes_raw, subject, raw_request
           FROM request WHERE ca_name = $1 AND id = $2`,
        [this.config.caName, requestId],
      );
      if (!req) throw new SignetError(ErrorCode.NotFound, `request ${requestId} not found`, { requestId });
      const attributes: Array<{ name: string; value: string }> = await qr.query(
        `SELECT name, value FROM request_attribute WHERE request_id = $1 ORDER BY name`,
        [requestId],
      );
      const extensions: Array<{ oid: string; origin: ExtensionOrigin; critical: boolean; disabled: boolean; value: Buffer }> = await qr.query(
        `SELECT oid, origin, critical, disabled, value FROM request_extension WHERE request_id = $1 ORDER BY origin, oid`,
        [requestId],
      );
      const [cert] = await qr.query(
        `SELECT serial, der, sha256, subject, template, not_before, not_after FROM certificate WHERE ca_name = $1 AND request_id = $2`,
        [this.config.caName, requestId],
      );
      await qr.query('COMMIT');
      return {
        request: {
          requestId: Number(req.id),
          disposition: req.disposition as Disposition,
          dispositionMessage: req.disposition_message,
          requesterName: req.requester_name,
          identity: req.identity ?? null,
          requestType: req.request_type as RequestType,
          submittedWhen: (req.submitted_at as Date).toISOString(),
          resolvedWhen: req.resolved_at ? (req.resolved_at as Date).toISOString() : null,
          attributesRaw: req.attributes_raw,
          subject: req.subject,
          rawRequest: (req.raw_request as Buffer).length > 0 ? toPem(req.raw_request as Buffer, 'CERTIFICATE REQUEST') : null,
        },
        attributes: Object.fromEntries(attributes.map((a) => [a.name, a.value])),
        extensions: extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64'), origin: e.origin, disabled: e.disabled })),
        certificate: cert
          ? {
              serial: cert.serial,
              rawCertificate: toPem(cert.der as Buffer, 'CERTIFICATE'),
              certificateHash: cert.sha256,
              subject: cert.subject,
              template: cert.template ?? null,
              notBefore: (cert.not_before as Date).toISOString(),
              notAfter: (cert.not_after as Date).toISOString(),
            }
          : null,
      };
    } catch (e) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }
}
