import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Commands,
  type AuditListSchema,
  type AuditRecordRequestSchema,
  type AuditVerifySchema,
  type AuthenticateSchema,
  type CertStatusRequestSchema,
  type CreateTokenSchema,
  type DenyRequestSchema,
  type GetCertificateSchema,
  type GetRequestSchema,
  type ImportCertificateRequestSchema,
  type ListModulesSchema,
  type ReleaseRequestSchema,
  type ResubmitRequestSchema,
  type RevokeRequestSchema,
  type RevokeTokenSchema,
  type SetAttributesRequestSchema,
  type SetExtensionRequestSchema,
} from '@signet/contracts';
import { type z } from 'zod';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { ModuleRegistry } from '../registry/module.registry';
import { AdminGuard } from './admin-guard';
import { AdminReadService } from './admin-read.service';
import { CertificateAdminService } from './certificate-admin.service';
import { CertificateImportService } from './certificate-import.service';
import { RequestAdminService } from './request-admin.service';
import { AdminTokens } from './tokens/admin-tokens';
import { TokenRevocationService } from './tokens/token-revocation.service';
import { ViewService } from './view/view.service';
import { type ViewQuery } from './view/view-query';

type In<S extends z.ZodType> = z.output<S>;

/** ICertAdmin on requests and certificates. Thin: the transport validated the payload; services check roles and state. */
@Controller()
export class AdminController {
  constructor(
    private readonly requests: RequestAdminService,
    private readonly certificates: CertificateAdminService,
    private readonly imports: CertificateImportService,
    private readonly read: AdminReadService,
    private readonly guard: AdminGuard,
  ) {}

  @MessagePattern(Commands.adminResubmit.name)
  resubmit(@Payload() r: In<typeof ResubmitRequestSchema>) {
    return this.requests.resubmit(r.actor, r.requestId);
  }

  @MessagePattern(Commands.adminDeny.name)
  deny(@Payload() r: In<typeof DenyRequestSchema>) {
    return this.requests.deny(r.actor, r.requestId, r.reason);
  }

  @MessagePattern(Commands.adminSetAttributes.name)
  setAttributes(@Payload() r: In<typeof SetAttributesRequestSchema>) {
    return this.requests.setAttributes(r.actor, r.requestId, r.attributes);
  }

  @MessagePattern(Commands.adminSetExtension.name)
  setExtension(@Payload() r: In<typeof SetExtensionRequestSchema>) {
    return this.requests.setExtension(r.actor, r);
  }

  @MessagePattern(Commands.adminGetRequest.name)
  async getRequest(@Payload() r: In<typeof GetRequestSchema>) {
    await this.guard.check(r.actor, 'getRequest', { requestId: r.requestId });
    return this.read.requestDetail(r.requestId);
  }

  @MessagePattern(Commands.adminRevoke.name)
  revoke(@Payload() r: In<typeof RevokeRequestSchema>) {
    return this.certificates.revoke(r.actor, r);
  }

  @MessagePattern(Commands.adminRelease.name)
  release(@Payload() r: In<typeof ReleaseRequestSchema>) {
    return this.certificates.release(r.actor, r.serial);
  }

  @MessagePattern(Commands.adminImportCertificate.name)
  importCertificate(@Payload() r: In<typeof ImportCertificateRequestSchema>) {
    return this.imports.importCertificate(r.actor, r.certificate);
  }

  @MessagePattern(Commands.adminCertStatus.name)
  async status(@Payload() r: In<typeof CertStatusRequestSchema>) {
    await this.guard.check(r.actor, 'certStatus', { serial: r.serial });
    return this.read.status(r.serial);
  }

  @MessagePattern(Commands.adminGetCertificate.name)
  async getCertificate(@Payload() r: In<typeof GetCertificateSchema>) {
    await this.guard.check(r.actor, 'getCertificate', { serial: r.serial });
    return this.read.certificateDetail(r.serial);
  }
}

/** ICertView, the module list, the audit log and admin tokens. */
@Controller()
export class AdminViewController {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly guard: AdminGuard,
    private readonly views: ViewService,
    private readonly registry: ModuleRegistry,
    private readonly audit: AuditStore,
    private readonly tokens: AdminTokens,
    private readonly revocations: TokenRevocationService,
  ) {}

  @MessagePattern(Commands.adminView.name)
  async view(@Payload() r: ViewQuery) {
    await this.guard.check(r.actor, 'view');
    return this.views.view(r);
  }

  @MessagePattern(Commands.adminModules.name)
  async modules(@Payload() r: In<typeof ListModulesSchema>) {
    await this.guard.check(r.actor, 'modules');
    return { modules: await this.registry.list() };
  }

  @MessagePattern(Commands.adminAuditList.name)
  async auditList(@Payload() r: In<typeof AuditListSchema>) {
    await this.guard.check(r.actor, 'auditList');
    return { entries: await this.audit.list(this.config.caName, r) };
  }

  @MessagePattern(Commands.adminAuditRecord.name)
  async auditRecord(@Payload() r: In<typeof AuditRecordRequestSchema>) {
    await this.guard.check(r.actor, r.action);
    const { id, seq } = await this.audit.record(this.config.caName, { actor: r.actor.name, action: r.action, details: r.details });
    return { id, seq };
  }

  @MessagePattern(Commands.adminAuditVerify.name)
  async auditVerify(@Payload() r: In<typeof AuditVerifySchema>) {
    await this.guard.check(r.actor, 'auditVerify');
    return this.audit.verify(this.config.caName);
  }

  /** No actor: this is how admin-api learns who the caller is. */
  @MessagePattern(Commands.adminAuthenticate.name)
  authenticate(@Payload() r: In<typeof AuthenticateSchema>) {
    return this.tokens.authenticate(r.tokenSha256);
  }

  @MessagePattern(Commands.adminCreateToken.name)
  async createToken(@Payload() r: In<typeof CreateTokenSchema>) {
    await this.guard.check(r.actor, 'createToken');
    return this.tokens.create(r.actor.name, r.name, r.roles);
  }

  @MessagePattern(Commands.adminRevokeToken.name)
  revokeToken(@Payload() r: In<typeof RevokeTokenSchema>) {
    return this.revocations.revoke(r.actor, r.name);
  }
}
