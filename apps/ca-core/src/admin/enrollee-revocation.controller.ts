import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type CertificateStatus, type EnrolleeRevokeRequestParsed } from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { revokerIdentity } from '../identity';
import { CertificateAdminService } from './certificate-admin.service';

/**
 * RevokeCertificate for an enrollee (ADR 0035): a front door (ACME
 * revokeCert) asks with an assertion of who revokes and how they showed the
 * right. Same path as an officer's revocation (lock, state, outbox, audit),
 * without a role: the assertion is the credential.
 */
@Controller()
export class EnrolleeRevocationController {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly certificates: CertificateAdminService,
  ) {}

  @MessagePattern(Commands.enrolleeRevoke.name)
  async revoke(@Payload() r: EnrolleeRevokeRequestParsed): Promise<CertificateStatus> {
    const who = await revokerIdentity({ ca: this.config.caName, keys: this.config.frontDoorKeys }, r);
    return this.certificates.revokeForEnrollee(who, { serial: r.serial, reason: r.reason });
  }
}
