import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { DiscoveryModule } from '../discovery/discovery.module';
import { AcmeAccountsService } from './acme-accounts.service';
import { AcmeController } from './acme.controller';
import { type AcmeConfig } from './acme.config';
import { AcmeOrdersService } from './acme-orders.service';
import { AcmeRevocationService } from './acme-revocation.service';
import { AcmeRenewalService } from './acme-renewal.service';
import { AcmeStore } from './acme.store';
import { databaseReadiness } from './acme.readiness';
import { ACME_CONFIG, ACME_DATA_SOURCE, ACME_READINESS, ACME_STORE } from './acme.tokens';
import { openAcmeDatabase } from './database/data-source';

/** Closes the ACME database when the application stops. */
class AcmeDatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ACME_DATA_SOURCE) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/**
 * The ACME front door (RFC 8555, ADR 0035), present only when configured:
 * its database is opened and migrated when the module starts, so an
 * intermediary without ACME never needs one. `validation` provides the
 * ChallengeValidator: the validators' module, or a test's own. Global, so
 * that /readyz (HealthService) finds ACME_READINESS when ACME is on.
 */
@Module({})
export class AcmeModule {
  static register(config: AcmeConfig, validation: { imports?: DynamicModule['imports']; providers?: Provider[] }): DynamicModule {
    return {
      module: AcmeModule,
      global: true,
      imports: [DiscoveryModule, ...(validation.imports ?? [])],
      controllers: [AcmeController],
      providers: [
        { provide: ACME_CONFIG, useValue: config },
        { provide: ACME_DATA_SOURCE, useFactory: () => openAcmeDatabase(config.databaseUrl) },
        { provide: ACME_STORE, useFactory: (ds: DataSource) => new AcmeStore(ds), inject: [ACME_DATA_SOURCE] },
        { provide: ACME_READINESS, useFactory: (ds: DataSource) => databaseReadiness(ds), inject: [ACME_DATA_SOURCE] },
        ...(validation.providers ?? []),
        AcmeDatabaseLifecycle,
        FrontDoorSigner,
        AcmeAccountsService,
        AcmeOrdersService,
        AcmeRevocationService,
        AcmeRenewalService,
      ],
      exports: [ACME_STORE, ACME_READINESS],
    };
  }
}

