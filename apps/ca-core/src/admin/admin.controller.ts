import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { type BusContext } from '@signet/bus';
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
import { AdminCredentials } from './admin-credentials';
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

/**
 * ICertAdmin on requests and certificates. Thin: the transport validated the
 * payload; the actor comes from the verified admin assertion only (ADR 0028);
 * services check roles and state.
 */
@Controller()
export class AdminController {
  constructor(
    private readonly requests: RequestAdminService,
    private readonly certificates: CertificateAdminService,
    private readonly imports: CertificateImportService,
    private readonly read: AdminReadService,
    private readonly guard: AdminGuard,
    private readonly credentials: AdminCredentials,
  ) {}

  @MessagePattern(Commands.adminResubmit.name)
  async resubmit(@Payload() r: In<typeof ResubmitRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.requests.resubmit(actor, r.requestId);
  }

  @MessagePattern(Commands.adminDeny.name)
  async deny(@Payload() r: In<typeof DenyRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.requests.deny(actor, r.requestId, r.reason);
  }

  @MessagePattern(Commands.adminSetAttributes.name)
  async setAttributes(@Payload() r: In<typeof SetAttributesRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.requests.setAttributes(actor, r.requestId, r.attributes);
  }

  @MessagePattern(Commands.adminSetExtension.name)
  async setExtension(@Payload() r: In<typeof SetExtensionRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.requests.setExtension(actor, r);
  }

  @MessagePattern(Commands.adminGetRequest.name)
  async getRequest(@Payload() r: In<typeof GetRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'getRequest', { requestId: r.requestId });
    return this.read.requestDetail(r.requestId);
  }

  @MessagePattern(Commands.adminRevoke.name)
  async revoke(@Payload() r: In<typeof RevokeRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.certificates.revoke(actor, r);
  }

  @MessagePattern(Commands.adminRelease.name)
  async release(@Payload() r: In<typeof ReleaseRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.certificates.release(actor, r.serial);
  }

  @MessagePattern(Commands.adminImportCertificate.name)
  async importCertificate(@Payload() r: In<typeof ImportCertificateRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.imports.importCertificate(actor, r.certificate);
  }

  @MessagePattern(Commands.adminCertStatus.name)
  async status(@Payload() r: In<typeof CertStatusRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'certStatus', { serial: r.serial });
    return this.read.status(r.serial);
  }

  @MessagePattern(Commands.adminGetCertificate.name)
  async getCertificate(@Payload() r: In<typeof GetCertificateSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'getCertificate', { serial: r.serial });
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
    private readonly credentials: AdminCredentials,
  ) {}

  @MessagePattern(Commands.adminView.name)
  async view(@Payload() r: ViewQuery, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'view');
    return this.views.view(r);
  }

  @MessagePattern(Commands.adminModules.name)
  async modules(@Payload() _r: In<typeof ListModulesSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'modules');
    return { modules: await this.registry.list() };
  }

  @MessagePattern(Commands.adminAuditList.name)
  async auditList(@Payload() r: In<typeof AuditListSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'auditList');
    return { entries: await this.audit.list(this.config.caName, r) };
  }

  @MessagePattern(Commands.adminAuditRecord.name)
  async auditRecord(@Payload() r: In<typeof AuditRecordRequestSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, r.action);
    const { id, seq } = await this.audit.record(this.config.caName, { actor: actor.name, action: r.action, details: r.details });
    return { id, seq };
  }

  @MessagePattern(Commands.adminAuditVerify.name)
  async auditVerify(@Payload() _r: In<typeof AuditVerifySchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'auditVerify');
    return this.audit.verify(this.config.caName);
  }

  /** No actor: this is how admin-api learns who the caller is; only admin-api may ask. */
  @MessagePattern(Commands.adminAuthenticate.name)
  async authenticate(@Payload() r: In<typeof AuthenticateSchema>, @Ctx() ctx: BusContext) {
    await this.credentials.fromAdminApi(ctx);
    return this.tokens.authenticate(r.tokenSha256);
  }

  @MessagePattern(Commands.adminCreateToken.name)
  async createToken(@Payload() r: In<typeof CreateTokenSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'createToken');
    return this.tokens.create(actor.name, r.name, r.roles);
  }

  @MessagePattern(Commands.adminRevokeToken.name)
  async revokeToken(@Payload() r: In<typeof RevokeTokenSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    return this.revocations.revoke(actor, r.name);
  }
}
