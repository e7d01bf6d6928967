import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { EnrollmentSecretAuthModule } from '../auth/enrollment-secret.module';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RevocationModule } from '../revocation/revocation.module';
import { TlsModule } from '../tls/tls.module';
import { openScepDatabase } from './database/scep-database';
import { ScepRa } from './scep-ra';
import { SCEP_CONFIG, SCEP_STORE, loadScepConfig, type ScepConfig } from './scep.config';
import { ScepController } from './scep.controller';
import { ScepService } from './scep.service';
import { ScepStateStore } from './scep.store';

/** Closes the SCEP database, if there is one, when the application stops. */
class ScepStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SCEP_STORE) private readonly store: ScepStateStore | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }
}

/** The shared state store when SIGNET_SCEP_DATABASE_URL names one (opened and migrated at start), else null: memory, one replica. */
async function openStore(config: ScepConfig): Promise<ScepStateStore | null> {
  if (!config.state) return null;
  return new ScepStateStore(await openScepDatabase(config.state.databaseUrl), config.state.passphrase, config.pending.ttlMs);
}

/** SCEP (RFC 8894, ADR 0040). `env` is validated here, at start (SIGNET_SCEP_*). */
@Module({})
export class ScepModule {
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const config = loadScepConfig(env);
    return {
      module: ScepModule,
      imports: [DiscoveryModule, EnrollmentSecretAuthModule.register(env), TlsModule, RevocationModule],
      controllers: [ScepController],
      providers: [
        { provide: SCEP_CONFIG, useValue: config },
        { provide: SCEP_STORE, useFactory: () => openStore(config) },
        ScepStoreLifecycle,
        FrontDoorSigner,
        ScepRa,
        ScepService,
      ],
    };
  }
}
