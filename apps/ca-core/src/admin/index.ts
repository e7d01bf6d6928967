import { type Provider, type Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { AdminController, AdminViewController } from './admin.controller';
import { AdminCredentials } from './admin-credentials';
import { AdminGuard } from './admin-guard';
import { AdminReadService } from './admin-read.service';
import { AdminStore } from './admin.store';
import { CertificateAdminService } from './certificate-admin.service';
import { EnrolleeRevocationController } from './enrollee-revocation.controller';
import { CertificateImportService } from './certificate-import.service';
import { RequestAdminService } from './request-admin.service';
import { OutboxStore } from '../outbox/outbox.store';
import { AdminTokens } from './tokens/admin-tokens';
import { TokenRevocationService } from './tokens/token-revocation.service';
import { ViewService } from './view/view.service';

/** ICertAdmin / ICertView handlers (administration). Registered by CaCoreModule. */
export const ADMIN_CONTROLLERS: Type[] = [AdminController, AdminViewController, EnrolleeRevocationController];
export const ADMIN_PROVIDERS: Provider[] = [
  AdminStore,
  AdminGuard,
  AdminCredentials,
  AdminReadService,
  RequestAdminService,
  CertificateAdminService,
  CertificateImportService,
  ViewService,
  TokenRevocationService,
  {
    provide: AdminTokens,
    useFactory: (config: CaConfig, ds: DataSource, audit: AuditStore, outbox: OutboxStore) => new AdminTokens(ds, audit, config.caName, outbox),
    inject: [CA_CONFIG, DataSource, AuditStore, OutboxStore],
  },
];
