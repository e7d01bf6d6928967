import { type DynamicModule, Module } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { BusClient, EventPublisher } from '@signet/bus';
import { DataSource } from 'typeorm';
import { ADMIN_CONTROLLERS, ADMIN_PROVIDERS } from './admin';
import { AuditStore } from './audit/audit.store';
import { CaKeysService } from './ca/ca-keys.service';
import { CaController } from './ca/ca.controller';
import { CertificateReadController } from './ca/certificate-read.controller';
import { Clock, SystemClock } from './clock';
import { CA_CONFIG, type CaConfig } from './config/ca-config';
import { REVOCATION_CONTROLLERS, revocationProviders } from './crl';
import { ENROLLMENT_SECRET_CONTROLLERS, ENROLLMENT_SECRET_PROVIDERS } from './enrollment-secrets';
import { EXIT_CONTROLLERS, EXIT_NATS, EXIT_PROVIDERS } from './exit';
import { OneTimeCredentialStore } from './identity';
import { LifecycleService } from './lifecycle.service';
import { StrandedSweeper } from './requests/stranded.sweeper';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxStore } from './outbox/outbox.store';
import { PolicyClient } from './policy/policy.client';
import { ModuleRegistry, ModuleRegistryController } from './registry/module.registry';
import { IssuanceService } from './requests/issuance.service';
import { IssuanceBatches } from './requests/issuance-batches';
import { RequestStore } from './requests/request.store';
import { RequestsController } from './requests/requests.controller';

/**
 * ca-core: the CA. The database and bus connections are opened by main and
 * passed in. `env` is where the settings the module reads itself (revocation)
 * come from: process.env unless a test passes its own.
 */
@Module({})
export class CaCoreModule {
  static register(deps: { config: CaConfig; ds: DataSource; nc: NatsConnection; clock?: Clock; env?: NodeJS.ProcessEnv }): DynamicModule {
    return {
      module: CaCoreModule,
      controllers: [RequestsController, CaController, CertificateReadController, ModuleRegistryController, ...ADMIN_CONTROLLERS, ...EXIT_CONTROLLERS, ...REVOCATION_CONTROLLERS, ...ENROLLMENT_SECRET_CONTROLLERS],
      providers: [
        { provide: CA_CONFIG, useValue: deps.config },
        { provide: Clock, useValue: deps.clock ?? new SystemClock() },
        { provide: DataSource, useValue: deps.ds },
        { provide: BusClient, useValue: new BusClient(deps.nc) },
        { provide: EventPublisher, useValue: new EventPublisher(deps.nc) },
        { provide: EXIT_NATS, useValue: deps.nc },
        CaKeysService,
        RequestStore,
        OutboxStore,
        AuditStore,
        OutboxRelay,
        PolicyClient,
        ModuleRegistry,
        IssuanceService,
        IssuanceBatches,
        OneTimeCredentialStore,
        LifecycleService,
        StrandedSweeper,
        ...ADMIN_PROVIDERS,
        ...EXIT_PROVIDERS,
        ...ENROLLMENT_SECRET_PROVIDERS,
        ...revocationProviders(deps.nc, deps.env),
      ],
    };
  }
}
