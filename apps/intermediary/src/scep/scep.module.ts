import { Module, type DynamicModule } from '@nestjs/common';
import { EnrollmentSecretAuthModule } from '../auth/enrollment-secret.module';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RevocationModule } from '../revocation/revocation.module';
import { TlsModule } from '../tls/tls.module';
import { ScepRa } from './scep-ra';
import { SCEP_CONFIG, loadScepConfig } from './scep.config';
import { ScepController } from './scep.controller';
import { ScepService } from './scep.service';

/** SCEP (RFC 8894, ADR 0040). `env` is validated here, at start (SIGNET_SCEP_*). */
@Module({})
export class ScepModule {
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const config = loadScepConfig(env);
    return {
      module: ScepModule,
      imports: [DiscoveryModule, EnrollmentSecretAuthModule.register(env), TlsModule, RevocationModule],
      controllers: [ScepController],
      providers: [{ provide: SCEP_CONFIG, useValue: config }, FrontDoorSigner, ScepRa, ScepService],
    };
  }
}
