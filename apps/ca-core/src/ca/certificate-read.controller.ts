import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, ErrorCode, SignetError, type CertificateBySerialReply, type CertificateBySerialRequest } from '@signet/contracts';
import { toPem } from '@signet/x509';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

/**
 * ca.<ca>.certificate.get: one certificate of this CA by serial, for a
 * front door (SCEP GetCert, ADR 0040). Certificates are public: the answer
 * is the certificate alone — nothing of its request or requester — and the
 * read changes nothing.
 */
@Controller()
export class CertificateReadController {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {}

  @MessagePattern(Commands.certificateBySerial.name)
  async get(@Payload() req: CertificateBySerialRequest): Promise<CertificateBySerialReply> {
    const rows: { der: Buffer }[] = await this.ds.query(`SELECT der FROM certificate WHERE ca_name = $1 AND serial = $2`, [this.config.caName, req.serial]);
    if (!rows.length) throw new SignetError(ErrorCode.NotFound, `certificate ${req.serial} not found`, { serial: req.serial });
    return { serial: req.serial, certificate: toPem(rows[0].der, 'CERTIFICATE') };
  }
}
